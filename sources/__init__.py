"""What arrives: the filing template, readers, registry, intake and sample generator."""
