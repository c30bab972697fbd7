"""updater: keep billing code sets (ICD-10-CM, HCPCS Level II, CPT) current."""

__version__ = "0.1.0"
