"""The yearly rhythm: calendar, configuration, check, inbox, one command per cycle, demo."""
