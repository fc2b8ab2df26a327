"""Starting the Rasa server and the action server with the speed-ups measured in bench/.

``python -m bot.serving rasa run ...`` and ``python -m bot.serving actions --actions bot.actions
...`` take the same arguments as ``rasa`` and ``python -m rasa_sdk``; the launcher uses them.
"""
