#!/usr/bin/env python3
"""Drives the web app of `essaymap serve` in headless Chromium over the DevTools
protocol (standard library only: a small WebSocket client is below).

  scripts/ci/check_webapp.py ESSAYMAP_BINARY [SHOTS_DIR]

1. Starts `essaymap serve --addr 127.0.0.1:0` and Chromium.
2. One essay: types (inserts) examples/phones.txt and a prompt, presses
   Analyse, and checks that the map in the page has as many nodes as
   `essaymap analyze --format json` gives `map.nodes`.
3. A class: uploads tests/data/serve_class.csv into the file input, runs it,
   and checks that every analysable essay is a row of the report table and
   the failed one is listed as an error; opens one essay page and goes back.
4. Screenshots of both are not blank; no JavaScript error, console error or
   Content-Security-Policy violation was logged.
Exits 1 on any failure.
"""
import base64
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class WebSocket:
    """A minimal RFC 6455 client: text frames, masked, no extensions."""

    def __init__(self, url):
        assert url.startswith("ws://")
        hostport, _, path = url[5:].partition("/")
        host, _, port = hostport.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
             f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
             "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise RuntimeError("websocket handshake failed")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"websocket handshake refused: {head!r}")
        self.buf = b""

    def send(self, text):
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            head = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(head + mask + masked)

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("websocket closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", self._read(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", self._read(8))
            payload = self._read(n)
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise RuntimeError("websocket closed by the browser")
            if opcode in (0x9, 0xA):
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()


class Page:
    """One tab, attached in flat mode; collects errors as they are logged."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.errors = []
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.call("Target.attachToTarget",
                             {"targetId": target["targetId"], "flatten": True}, session=False)
        self.session = attached["sessionId"]
        for domain in ("Runtime", "Log", "Page", "DOM"):
            self.call(domain + ".enable")

    def call(self, method, params=None, session=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.note(reply)

    def note(self, event):
        method = event.get("method")
        p = event.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            self.errors.append("exception: " + d.get("exception", {}).get("description", d.get("text", "")))
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            self.errors.append("console.error: " + " ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
        elif method == "Log.entryAdded" and p["entry"]["level"] == "error":
            self.errors.append("log: " + p["entry"]["text"])

    def eval(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expr}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait(self, expr, what, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            if self.eval(expr):
                return
            time.sleep(0.2)
        raise RuntimeError(f"timed out waiting for {what}")

    def screenshot(self, path):
        data = base64.b64decode(self.call("Page.captureScreenshot", {"format": "png"})["data"])
        Path(path).write_bytes(data)
        return data


def png_is_blank(data):
    """True when the PNG's filtered scanlines carry (almost) no information:
    a blank page is one colour, which PNG filters turn into a few byte values."""
    pos, idat = 8, b""
    while pos < len(data):
        (n,) = struct.unpack("!I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw = zlib.decompress(idat)
    return len(set(raw)) < 16


def fail(message):
    print(f"check_webapp: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) < 2:
        fail("usage: check_webapp.py ESSAYMAP_BINARY [SHOTS_DIR]")
    binary = sys.argv[1]
    work = Path(tempfile.mkdtemp(prefix="essaymap-webapp-"))
    shots = Path(sys.argv[2]) if len(sys.argv) > 2 else work
    shots.mkdir(parents=True, exist_ok=True)
    essay_path = ROOT / "examples" / "phones.txt"
    expected = json.loads(subprocess.run(
        [binary, "analyze", str(essay_path), "--title", "Should schools ban phones?", "--format", "json"],
        check=True, capture_output=True).stdout)
    expected_nodes = len(expected["map"]["nodes"])

    server = subprocess.Popen([binary, "serve", "--addr", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    browser = None
    try:
        url = server.stdout.readline().strip()
        if not url.startswith("http://"):
            fail(f"the server did not print its URL (got {url!r})")
        chromium = os.environ.get("CHROMIUM", "chromium")
        browser = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
             f"--user-data-dir={work / 'profile'}", "--window-size=1366,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        ws_url = None
        for line in browser.stderr:
            if "DevTools listening on" in line:
                ws_url = line.split("DevTools listening on", 1)[1].strip()
                break
        if not ws_url:
            fail("Chromium did not open its DevTools port")
        page = Page(WebSocket(ws_url))
        page.call("Emulation.setDeviceMetricsOverride",
                  {"width": 1366, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        page.call("Page.navigate", {"url": url})
        page.wait("document.readyState === 'complete' && document.body.dataset.ready === '1'", "the app to load")

        if page.eval("document.getElementById('token-form').offsetParent !== null"):
            fail("the page asks for a token the server does not need")
        # One essay: typed in, analysed, the map drawn with every node.
        page.eval("document.getElementById('prompt').focus()")
        page.call("Input.insertText", {"text": "Should schools ban phones?"})
        page.eval("document.getElementById('essay').focus()")
        page.call("Input.insertText", {"text": essay_path.read_text()})
        page.eval("document.getElementById('analyse').focus()")
        for kind in ("keyDown", "keyUp"):
            page.call("Input.dispatchKeyEvent", {"type": kind, "key": "Enter", "code": "Enter",
                                                 "windowsVirtualKeyCode": 13, "text": "\r" if kind == "keyDown" else ""})
        page.wait("document.getElementById('one-result').dataset.ready === '1'", "the analysis")
        nodes = page.eval("document.getElementById('one-frame').contentDocument"
                          ".querySelectorAll('svg g.node').length")
        if nodes != expected_nodes:
            fail(f"the map shows {nodes} nodes, the analysis has {expected_nodes}")
        marked = page.eval("document.getElementById('one-frame').contentDocument"
                           ".querySelectorAll('[data-id]').length")
        print(f"check_webapp: one essay: {nodes} map nodes (as analyze), {marked} marked elements")
        page.eval("document.getElementById('one-result').scrollIntoView()")
        if png_is_blank(page.screenshot(shots / "webapp-essay.png")):
            fail("the essay screenshot is blank")

        # A class CSV: every essay in the report table, the empty one listed as failed.
        page.eval("document.getElementById('tab-class').click()")
        doc = page.call("DOM.getDocument")
        node = page.call("DOM.querySelector", {"nodeId": doc["root"]["nodeId"], "selector": "#class-files"})
        csv_path = ROOT / "tests" / "data" / "serve_class.csv"
        page.call("DOM.setFileInputFiles", {"files": [str(csv_path)], "nodeId": node["nodeId"]})
        page.wait("document.getElementById('class-chosen').textContent === 'serve_class.csv'", "the file to be chosen")
        page.eval("document.getElementById('run-class').click()")
        page.wait("document.getElementById('class-result').dataset.ready === '1' && "
                  "document.getElementById('class-result').dataset.page === 'class'", "the class report", 120)
        rows = page.eval("Array.from(document.getElementById('class-frame').contentDocument"
                         ".querySelectorAll('#essays tbody tr')).map(r => r.textContent)")
        # What the class should show: the API's own batch answer for the file.
        req = urllib.request.Request(url + "v1/batch", data=csv_path.read_bytes(),
                                     headers={"Content-Type": "text/csv"})
        with urllib.request.urlopen(req, timeout=120) as r:
            lines = [json.loads(l) for l in r.read().decode().splitlines()]
        good = [l["id"] for l in lines if "error" not in l]
        bad = [l["id"] for l in lines if "error" in l]
        if len(rows) != len(good):
            fail(f"the report table has {len(rows)} rows, the class {len(good)} analysed essays")
        for essay_id in good:
            if not any(essay_id in r for r in rows):
                fail(f"essay {essay_id} is not in the report table")
        errors_text = page.eval("(document.getElementById('class-frame').contentDocument"
                                ".getElementById('errors') || {}).parentElement?.textContent || ''")
        for essay_id in bad:
            if essay_id not in errors_text:
                fail(f"failed record {essay_id} is not listed in the report")
        print(f"check_webapp: class: {len(rows)} essays in the table, {len(bad)} listed as failed")
        page.eval("document.getElementById('class-result').scrollIntoView()")
        if png_is_blank(page.screenshot(shots / "webapp-class.png")):
            fail("the class report screenshot is blank")
        # An essay page opens from the table, and the way back works.
        page.eval("document.getElementById('class-frame').contentDocument.querySelector('#essays tbody a').click()")
        page.wait("document.getElementById('class-result').dataset.ready === '1' && "
                  "document.getElementById('class-result').dataset.page !== 'class'", "an essay page")
        page.eval("document.getElementById('back-class').click()")
        page.wait("document.getElementById('class-result').dataset.page === 'class' && "
                  "document.getElementById('class-result').dataset.ready === '1'", "the way back")
        # Several essay files at once: one row each, named by file.
        files = sorted(str(p) for p in (ROOT / "examples").glob("*.txt"))
        page.call("DOM.setFileInputFiles", {"files": files, "nodeId": node["nodeId"]})
        page.wait(f"document.getElementById('class-chosen').textContent === '{len(files)} files'", "the files")
        page.eval("document.getElementById('run-class').click()")
        page.wait(f"document.getElementById('class-status').textContent.startsWith('{len(files)} essays: {len(files)} analysed') && "
                  "document.getElementById('class-result').dataset.ready === '1'", "the class of files", 120)
        rows = page.eval("Array.from(document.getElementById('class-frame').contentDocument"
                         ".querySelectorAll('#essays tbody tr')).map(r => r.textContent)")
        for f in files:
            if not any(Path(f).name in r for r in rows):
                fail(f"{Path(f).name} is not in the report table of the uploaded files")
        print(f"check_webapp: {len(files)} essay files: {len(rows)} rows")
        time.sleep(0.5)
        page.eval("1")  # collect late events
        if page.errors:
            fail("errors in the browser:\n  " + "\n  ".join(page.errors))
        print(f"check_webapp: ok (screenshots in {shots})")
    finally:
        if browser:
            browser.kill()
            browser.wait()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            fail("the server did not stop on SIGTERM")


if __name__ == "__main__":
    main()
