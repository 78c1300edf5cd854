// scripts/serve.py serves the page's files and nothing else (issue 11): no directory listing,
// no dotfiles (pkg/.build-stamp holds the build folder's path), no file of a kind the page is
// not made of, and no answer to a Host header that is not this server's loopback name (DNS
// rebinding). Runs on a small folder built here, so it needs no wasm build.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startServer } from './helpers.mjs';

let server;
let root;

before(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'dipcalc-serve-'));
  mkdirSync(path.join(root, 'pkg'));
  mkdirSync(path.join(root, 'app'));
  mkdirSync(path.join(root, '.git'));
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(path.join(root, 'pkg', 'dipcalc.js'), 'export default 1;');
  writeFileSync(path.join(root, 'pkg', '.build-stamp'), '/home/someone/build/folder');
  writeFileSync(path.join(root, '.git', 'config'), '[core]');
  writeFileSync(path.join(root, 'app', 'notes.md'), 'private notes');
  server = await startServer({ root });
});

after(async () => {
  await server?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

/**
 * GET `pathname` with the given Host header (default: the server's own; '' sends none);
 * resolves to { status, body }.
 */
function get(pathname, host = new URL(server.url).host) {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const headers = host ? { Host: host } : {};
    const req = http.get({ hostname, port, path: pathname, headers, setHost: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
  });
}

test('the page and its module are served', async () => {
  assert.equal((await get('/')).status, 200);
  assert.equal((await get('/pkg/dipcalc.js')).status, 200);
  const port = new URL(server.url).port;
  assert.equal((await get('/', `localhost:${port}`)).status, 200);
});

test('no directory listing', async () => {
  for (const dir of ['/pkg/', '/app/', '/pkg']) {
    const r = await get(dir);
    assert.equal(r.status, 404, dir);
    assert.doesNotMatch(r.body, /dipcalc\.js|notes\.md/, dir);
  }
});

test('no dotfile, dot-folder or file the page is not made of', async () => {
  for (const p of ['/pkg/.build-stamp', '/pkg/%2Ebuild-stamp', '/.git/config', '/app/notes.md']) {
    const r = await get(p);
    assert.equal(r.status, 404, p);
    assert.doesNotMatch(r.body, /someone|core|private/, p);
  }
});

test('a Host header that is not this server is refused (DNS rebinding)', async () => {
  const port = new URL(server.url).port;
  for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1:${Number(port) + 1}`, '']) {
    const r = await get('/', host);
    assert.equal(r.status, 421, host);
    assert.doesNotMatch(r.body, /<title>page/, host);
  }
});
