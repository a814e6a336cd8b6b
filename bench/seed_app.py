"""The seed's three endpoints (Flask + flask-jwt-extended), as the e2e reference for bench/compare.sh.

Written for Debian's python3-flask 2.2 and python3-python-flask-jwt-extended 4.4: jwt_required()
takes parentheses and refresh=True marks the refresh endpoint. Like the seed, login trusts the
username (no password, no storage): this is the cost floor of the tutorial's design, not a service.
Run: JWT_SECRET_KEY=... gunicorn -w 2 -b 127.0.0.1:PORT --chdir bench seed_app:app
"""
import os

from flask import Flask, jsonify, request
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    create_refresh_token,
    get_jwt_identity,
    jwt_required,
)

app = Flask(__name__)
app.config["JWT_SECRET_KEY"] = os.environ["JWT_SECRET_KEY"]
jwt = JWTManager(app)


@app.post("/api/v1.0/login")
def login():
    body = request.get_json(silent=True) or {}
    user = body.get("username")
    if not isinstance(user, str) or not user:
        return jsonify(msg="username required"), 400
    return jsonify(access_token=create_access_token(identity=user),
                   refresh_token=create_refresh_token(identity=user))


@app.post("/api/v1.0/refresh")
@jwt_required(refresh=True)
def refresh():
    return jsonify(access_token=create_access_token(identity=get_jwt_identity()))


@app.get("/api/v1.0/protected")
@jwt_required()
def protected():
    return jsonify(username=get_jwt_identity())
