#!/usr/bin/env python3
"""Opens a picture's HTML page (kgraph::picture::Picture::to_html) in headless Chromium and
checks it as a person would use it, through the Chrome DevTools Protocol over a pipe (Python's
standard library only: no driver to install).

    picture.py PAGE.html OUT_DIR EXPECT.json

EXPECT.json: {"nodes": N, "relationships": M, "click": {"id": ID, "text": TEXT}}: the page
must draw N node elements and M relationship elements; a real mouse click at node ID's place
on the screen must open the properties panel showing TEXT. It also takes screenshots (OUT_DIR/
picture.png before the click, picture-clicked.png after) and checks the first is a PNG with
more than one colour, that dragging the background pans, that the wheel and the zoom button
zoom, and that dragging a node moves it. Chromium is `KGRAPH_CHROMIUM`, else `chromium` on
the PATH.

Prints one JSON object of what it saw; exits 0 when every check passed, 1 when one failed,
and 3 when Chromium cannot be started (the caller decides whether that is a skip).
"""

import base64
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

WIDTH, HEIGHT = 1200, 800
TIMEOUT = 60.0


class Browser:
    """Chromium with --remote-debugging-pipe: commands on its fd 3, replies on its fd 4,
    each message JSON ended by a NUL byte."""

    def __init__(self, exe):
        self.profile = tempfile.mkdtemp(prefix="kgraph-chromium-")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # Above 10, so that putting them on 3 and 4 in the child cannot clobber each other.
        child_in = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
        child_out = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
        os.close(to_chrome_r)
        os.close(from_chrome_w)

        def on_fds_3_and_4():
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        args = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--mute-audio",
            "--user-data-dir=" + self.profile,
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self.log = open(os.path.join(self.profile, "stderr.log"), "wb")
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
            preexec_fn=on_fds_3_and_4,
            pass_fds=(3, 4),
        )
        os.close(child_in)
        os.close(child_out)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        want = self.next_id
        deadline = time.monotonic() + TIMEOUT
        while True:
            for m in self._messages(deadline):
                if m.get("id") == want:
                    if "error" in m:
                        raise RuntimeError(f"{method}: {m['error']}")
                    return m.get("result", {})
                self.events.append(m)

    def _messages(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self.from_chrome], [], [], left)
            if ready:
                chunk = os.read(self.from_chrome, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed its pipe: " + self.stderr())
                self.buffer += chunk
        out = []
        while b"\0" in self.buffer:
            raw, self.buffer = self.buffer.split(b"\0", 1)
            out.append(json.loads(raw))
        return out

    def stderr(self):
        try:
            with open(os.path.join(self.profile, "stderr.log"), "rb") as f:
                return f.read()[-2000:].decode(errors="replace")
        except OSError:
            return ""

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


def png_colours(data):
    """The number of distinct colours of an 8-bit RGB or RGBA PNG (every row decoded)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
            if depth != 8 or colour_type not in (2, 6):
                raise ValueError(f"unexpected PNG depth {depth} colour type {colour_type}")
            channels = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    prev = bytearray(stride)
    colours = set()
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if f == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif f == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 0xFF
        elif f == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif f == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = prev[i]
                c = prev[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        if y % 4 == 0:
            for x in range(0, stride, channels * 4):
                colours.add(bytes(line[x : x + 3]))
        prev = line
    return len(colours)


def main():
    page, out_dir, expect_path = sys.argv[1:4]
    with open(expect_path, encoding="utf-8") as f:
        expect = json.load(f)
    exe = os.environ.get("KGRAPH_CHROMIUM") or shutil.which("chromium")
    if not exe or not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
        print(json.dumps({"unavailable": f"no Chromium (KGRAPH_CHROMIUM or chromium on the PATH): {exe}"}))
        return 3
    try:
        browser = Browser(exe)
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    except Exception as e:  # noqa: BLE001 - reported to the caller
        print(json.dumps({"unavailable": f"Chromium did not start: {e}"}))
        return 3
    seen, failures = {}, []

    def check(ok, what):
        if not ok:
            failures.append(what)

    try:
        s = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

        def js(expr):
            r = browser.send("Runtime.evaluate", {"expression": expr, "returnByValue": True}, s)
            if "exceptionDetails" in r:
                raise RuntimeError(f"{expr}: {r['exceptionDetails']}")
            return r["result"].get("value")

        def mouse(kind, x, y, buttons=0, **more):
            params = {"type": kind, "x": x, "y": y, "buttons": buttons}
            params.update(more)
            browser.send("Input.dispatchMouseEvent", params, s)

        def view():
            return js("document.getElementById('viewport').getAttribute('transform')")

        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
            s,
        )
        browser.send("Page.navigate", {"url": "file://" + os.path.abspath(page)}, s)
        deadline = time.monotonic() + TIMEOUT
        while not js("document.readyState === 'complete' && !!window.kgraphPicture"):
            if time.monotonic() > deadline:
                raise TimeoutError("the page did not load")
            time.sleep(0.05)
        # Fonts load before the screenshot.
        js("document.fonts.ready.then(() => true)")
        seen["nodes_drawn"] = js("document.querySelectorAll('#nodes g.node').length")
        seen["relationships_drawn"] = js("document.querySelectorAll('#rels g.rel').length")
        seen["captions_drawn"] = js("document.querySelectorAll('#nodes g.node text tspan').length")
        check(seen["nodes_drawn"] == expect["nodes"], f"drew {seen['nodes_drawn']} nodes, expected {expect['nodes']}")
        check(
            seen["relationships_drawn"] == expect["relationships"],
            f"drew {seen['relationships_drawn']} relationships, expected {expect['relationships']}",
        )
        # Every node drawn on the screen, inside the window (the page fits the graph to it).
        seen["nodes_on_screen"] = js(
            """[...document.querySelectorAll('#nodes g.node rect')].filter(r => {
                 const b = r.getBoundingClientRect();
                 return b.width > 0 && b.height > 0 && b.right > 0 && b.bottom > 0
                   && b.left < innerWidth && b.top < innerHeight; }).length"""
        )
        check(seen["nodes_on_screen"] == expect["nodes"], f"{seen['nodes_on_screen']} nodes on the screen")
        shot = base64.b64decode(browser.send("Page.captureScreenshot", {"format": "png"}, s)["data"])
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "picture.png"), "wb") as f:
            f.write(shot)
        seen["screenshot_bytes"] = len(shot)
        seen["screenshot_colours"] = png_colours(shot)
        check(seen["screenshot_colours"] > 8, f"the screenshot has {seen['screenshot_colours']} colours")

        # A click on the node, where it is on the screen.
        node_id = expect["click"]["id"]
        box = js(
            f"""(() => {{ const r = document.querySelector('#nodes g.node[data-id="{node_id}"] rect');
                 if (!r) return null; const b = r.getBoundingClientRect();
                 return {{x: b.left + b.width / 2, y: b.top + b.height / 2}}; }})()"""
        )
        check(box is not None, f"node {node_id} is not drawn")
        if box is not None:
            x, y = box["x"], box["y"]
            seen["hit"] = js(
                f"(() => {{ const e = document.elementFromPoint({x}, {y}); const g = e && e.closest('g.node');"
                " return g ? g.getAttribute('data-id') : null; })()"
            )
            check(seen["hit"] == str(node_id), f"at node {node_id}'s place is {seen['hit']}")
            check(not js("document.getElementById('panel').classList.contains('open')"), "the panel was open before the click")
            mouse("mouseMoved", x, y)
            mouse("mousePressed", x, y, buttons=1, button="left", clickCount=1)
            mouse("mouseReleased", x, y, buttons=0, button="left", clickCount=1)
            seen["panel_open"] = js("document.getElementById('panel').classList.contains('open')")
            seen["panel_text"] = js("document.getElementById('panel-body').innerText")
            check(seen["panel_open"], "the click did not open the panel")
            check(expect["click"]["text"] in (seen["panel_text"] or ""), "the panel does not show the node's property")
            shot2 = base64.b64decode(browser.send("Page.captureScreenshot", {"format": "png"}, s)["data"])
            with open(os.path.join(out_dir, "picture-clicked.png"), "wb") as f:
                f.write(shot2)

            # Dragging the node moves it (and not the view).
            before_node = js(f"document.querySelector('#nodes g.node[data-id=\"{node_id}\"]').getAttribute('transform')")
            before_view = view()
            mouse("mousePressed", x, y, buttons=1, button="left", clickCount=1)
            for k in range(1, 6):
                mouse("mouseMoved", x + 12 * k, y + 8 * k, buttons=1, button="left")
            mouse("mouseReleased", x + 60, y + 40, buttons=0, button="left", clickCount=1)
            after_node = js(f"document.querySelector('#nodes g.node[data-id=\"{node_id}\"]').getAttribute('transform')")
            seen["node_drag"] = [before_node, after_node]
            check(before_node != after_node, "dragging the node did not move it")
            check(view() == before_view, "dragging a node moved the view")

        # Dragging the background pans: from a point where nothing but the canvas is.
        empty = js(
            """(() => { for (let y = 60; y < innerHeight - 60; y += 17)
                 for (let x = 30; x < innerWidth - 360; x += 23) {
                   const e = document.elementFromPoint(x, y);
                   if (e && e.id === 'canvas') return {x, y}; }
                 return null; })()"""
        )
        check(empty is not None, "found no empty place on the canvas")
        if empty is not None:
            before = view()
            ex, ey = empty["x"], empty["y"]
            mouse("mousePressed", ex, ey, buttons=1, button="left", clickCount=1)
            for k in range(1, 6):
                mouse("mouseMoved", ex + 15 * k, ey + 10 * k, buttons=1, button="left")
            mouse("mouseReleased", ex + 75, ey + 50, buttons=0, button="left", clickCount=1)
            seen["pan"] = [before, view()]
            check(before != view(), "dragging the background did not pan")

        # The wheel zooms, and so does the button.
        before = view()
        mouse("mouseWheel", WIDTH / 2, HEIGHT / 2, deltaX=0, deltaY=-400)
        deadline = time.monotonic() + 5
        while view() == before and time.monotonic() < deadline:
            time.sleep(0.05)
        seen["wheel"] = [before, view()]
        check(before != view(), "the wheel did not zoom")
        before = js("window.kgraphPicture.view.k")
        zb = js(
            """(() => { const b = document.getElementById('zoom-in').getBoundingClientRect();
                 return {x: b.left + b.width / 2, y: b.top + b.height / 2}; })()"""
        )
        mouse("mouseMoved", zb["x"], zb["y"])
        mouse("mousePressed", zb["x"], zb["y"], buttons=1, button="left", clickCount=1)
        mouse("mouseReleased", zb["x"], zb["y"], buttons=0, button="left", clickCount=1)
        seen["zoom_button"] = [before, js("window.kgraphPicture.view.k")]
        check(seen["zoom_button"][1] > before, "the zoom button did not zoom in")
    except Exception as e:  # noqa: BLE001 - reported as a failure
        failures.append(f"{type(e).__name__}: {e}")
        seen["chromium_stderr"] = browser.stderr()
    finally:
        browser.close()
    seen["failures"] = failures
    print(json.dumps(seen, ensure_ascii=False))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
