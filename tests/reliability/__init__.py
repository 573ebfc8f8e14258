"""Reliability: real servers and processes under hostile load, faults and bad settings."""
