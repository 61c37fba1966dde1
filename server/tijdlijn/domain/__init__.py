"""The pure domain: no I/O, no asyncio. Commands in, state changes out."""
