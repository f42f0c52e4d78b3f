"""Announces mDNS services with python-zeroconf (the stack Home Assistant uses) for the
discovery tests. Usage: zeroconf-announce.py INTERFACE TTL JSON-LIST-OF-SERVICES.
Prints "registered" once all are up; on a line "unregister" on stdin it sends goodbyes."""
import json
import socket
import sys

from zeroconf import ServiceInfo, Zeroconf

interface, ttl, services = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
zc = Zeroconf(interfaces=[interface])
infos = []
for s in services:
    info = ServiceInfo(
        s["type"] + ".local.",
        s["name"] + "." + s["type"] + ".local.",
        addresses=[socket.inet_aton(interface)],
        port=s["port"],
        properties=s.get("txt", {}),
        server=s["host"] + ".local.",
        host_ttl=ttl,
        other_ttl=ttl,
    )
    zc.register_service(info, ttl=ttl)
    infos.append(info)
print("registered", flush=True)
for line in sys.stdin:
    if line.strip() == "unregister":
        for info in infos:
            zc.unregister_service(info)
        print("unregistered", flush=True)
        break
zc.close()
