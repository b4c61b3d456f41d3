"""Language identification and translation to English."""
