"""Studying: cloze generation and the FSRS scheduler adapter (pure, no Django)."""
