"""Serve a Python peer with exactly the uvicorn options `tijdlijn serve` ships with.

python bench/peers/serve.py bare_socketio PORT
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from tijdlijn.cli import uvicorn_options

sys.path.insert(0, str(Path(__file__).resolve().parent))

if __name__ == "__main__":
    module, port = sys.argv[1], int(sys.argv[2])
    uvicorn.run(f"{module}:app", host="127.0.0.1", port=port, **uvicorn_options())
