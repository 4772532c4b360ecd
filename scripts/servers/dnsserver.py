"""What scripts/servers/bind and scripts/servers/knot share: free ports, TSIG keys, zone
files, waiting for the server to answer, stopping it."""
import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import time


def free_port_both():
    # DNS needs the same port free for UDP and TCP.
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
    raise SystemExit("no free port for DNS")


def options(argv):
    """--zone NAME (default example.test.), --zone-file FILE, --algorithm hmac-sha256|hmac-sha512,
    --transfer-size BYTES (BIND only: split zone transfers into small messages)."""
    result = {"zone": "example.test.", "zone_file": None, "algorithm": "hmac-sha256", "transfer_size": None}
    index = 0
    while index < len(argv):
        key = argv[index].lstrip("-").replace("-", "_")
        if key not in result or index + 1 >= len(argv):
            raise SystemExit(f"unknown or incomplete option {argv[index]}")
        result[key] = argv[index + 1]
        index += 2
    if not result["zone"].endswith("."):
        result["zone"] += "."
    return result


def key_material():
    return "plumb-test.", base64.b64encode(secrets.token_bytes(32)).decode()


def write_zone(path, zone, zone_file):
    """The zone file given (with $ORIGIN set to the zone), or a minimal zone: SOA and NS.
    The name server is outside the zone, so a test that owns every record of the zone may
    delete them all (BIND refuses an UPDATE that leaves an in-zone NS without its address)."""
    if zone_file:
        with open(zone_file) as f:
            text = f.read()
        if "$ORIGIN" not in text:
            text = f"$ORIGIN {zone}\n" + text
    else:
        text = f"""$ORIGIN {zone}
$TTL 3600
@ SOA ns1.nameservers.test. hostmaster 1 3600 600 86400 300
@ NS ns1.nameservers.test.
"""
    with open(path, "w") as f:
        f.write(text)


def wait_until_serving(process, port, zone, log_path, name):
    deadline = time.time() + 30
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}; the end of {log_path}:\n{tail(log_path)}")
        result = subprocess.run(
            ["dig", "+short", "+time=1", "+tries=1", "-p", str(port), "@127.0.0.1", zone, "SOA"],
            capture_output=True, text=True)
        if result.returncode == 0 and result.stdout.strip():
            return
        time.sleep(0.05)
    process.kill()
    raise SystemExit(f"{name} did not serve {zone} within 30 s; the end of {log_path}:\n{tail(log_path)}")


def tail(path):
    try:
        with open(path, "rb") as f:
            return f.read()[-3000:].decode("utf-8", "replace")
    except FileNotFoundError:
        return "(no log)"


def report(directory, info):
    with open(os.path.join(directory, "server.json"), "w") as f:
        json.dump(info, f)
    print(json.dumps(info))


def stop(directory):
    try:
        with open(os.path.join(directory, "server.json")) as f:
            pid = json.load(f)["pid"]
    except FileNotFoundError:
        return
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            os.kill(pid, 0)
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
