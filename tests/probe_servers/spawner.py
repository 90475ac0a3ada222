"""An HTTP server that also spawns a child process, to test that a whole group is stopped.

    python spawner.py PORT PIDFILE
"""

from __future__ import annotations

import http.server
import subprocess
import sys

if __name__ == "__main__":
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    with open(sys.argv[2], "w", encoding="utf-8") as handle:
        handle.write(str(child.pid))
    server = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])),
                                    http.server.SimpleHTTPRequestHandler)
    server.serve_forever()
