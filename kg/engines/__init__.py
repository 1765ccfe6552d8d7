"""Independent engines that compute the alignment verdict (for the agreement test)."""
