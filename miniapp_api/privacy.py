"""The API's masking of personal numbers: the project's one set of rules (``citizen_common.privacy``)."""

from citizen_common.privacy import install_log_masking, mask_id_card, mask_phone, mask_text

__all__ = ["install_log_masking", "mask_id_card", "mask_phone", "mask_text"]
