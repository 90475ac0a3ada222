"""A Flask service that does everything the probes look for wrong.

Run with Werkzeug's development server in debug mode (interactive debugger on
errors): no security headers, a version-leaking Server header, routes open without
credentials, no limiter, an Origin-reflecting CORS policy with credentials, a cookie
without flags, a constant ``/health``, and a traceback page on malformed JSON.
"""

from __future__ import annotations

import json
import sys

from flask import Flask, jsonify, make_response, request

app = Flask(__name__)


@app.after_request
def permissive_cors(response):  # type: ignore[no-untyped-def]
    origin = request.headers.get("Origin")
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
    return response


@app.get("/")
def index():  # type: ignore[no-untyped-def]
    response = make_response(jsonify(service="insecure"))
    response.set_cookie("session", "abc")
    return response


@app.get("/health")
def health():  # type: ignore[no-untyped-def]
    return jsonify(status="ok")


@app.get("/users")
def users():  # type: ignore[no-untyped-def]
    return jsonify([{"id": 1, "email": "a@example.com"}])


@app.get("/users/<int:user_id>")
def user(user_id: int):  # type: ignore[no-untyped-def]
    return jsonify(id=user_id, email="a@example.com")


@app.post("/items")
def create_item():  # type: ignore[no-untyped-def]
    data = json.loads(request.get_data())  # no validation: bad input -> 500 + debugger
    return jsonify(name=data["name"]), 201


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), debug=True, use_reloader=False)
