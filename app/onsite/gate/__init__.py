"""Gate check-in: participants entering the fair by their badge, counted per gate and hour."""
