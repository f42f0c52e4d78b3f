"""Announces the mDNS field corpus with python-zeroconf (the stack Home Assistant uses), every
service at once so probing runs in parallel. Usage: zeroconf-corpus-announce.py INTERFACE FILE,
where FILE holds a JSON list of {type, name, host, port, txt}; a TXT value of null is a bare key.
Prints "registered" once all are up and keeps answering until stdin closes or says "stop"."""
import asyncio
import json
import socket
import sys

from zeroconf import ServiceInfo
from zeroconf.asyncio import AsyncZeroconf


async def main() -> None:
    interface, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        services = json.load(f)
    azc = AsyncZeroconf(interfaces=[interface])
    infos = [
        ServiceInfo(
            s["type"] + ".local.",
            s["name"] + "." + s["type"] + ".local.",
            addresses=[socket.inet_aton(interface)],
            port=s["port"],
            properties=s.get("txt", {}),
            server=s["host"] + ".local.",
        )
        for s in services
    ]
    tasks = await asyncio.gather(*(azc.async_register_service(info) for info in infos))
    await asyncio.gather(*tasks)
    print("registered", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await azc.async_close()


asyncio.run(main())
