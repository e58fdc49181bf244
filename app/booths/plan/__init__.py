"""Floor plans: booth types, booths on a hall's plan, the block generator, zone rules, statuses."""
