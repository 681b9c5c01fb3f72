"""parkstat: the warehouse for the monthly statistics filed by Hunan's industrial parks."""
