"""Reading and writing files: text decoding, messy tables, zips, atomic output."""
