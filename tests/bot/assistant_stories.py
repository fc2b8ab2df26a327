"""For the probes (run in the bot environment): the assistant's domain and every story and rule
of its training data as trackers, generated as Rasa's training generates them."""

from pathlib import Path

from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.importers.importer import TrainingDataImporter

ROOT = Path(__file__).resolve().parents[2]


def domain_and_stories(domain=None):
    """``(domain, trackers)``: the training data's domain (or ``domain``, a trained model's) and
    a tracker for each story and rule."""
    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "bot" / "config.yml"),
        domain_path=str(ROOT / "bot" / "domain"),
        training_data_paths=[str(ROOT / "bot" / "data")],
    )
    domain = domain or importer.get_domain()
    return domain, TrainingDataGenerator(
        importer.get_stories(), domain, augmentation_factor=0, remove_duplicates=False
    ).generate()
