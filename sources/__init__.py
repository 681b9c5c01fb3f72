"""What arrives: the filing template, readers, the park registry, intake and the sample generator."""
