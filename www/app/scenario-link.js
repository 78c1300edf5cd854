// A scenario as a link: the policy (never the data) in the URL fragment, deflate-compressed with
// the browser's own CompressionStream and written in base64url: #policy=… . The fragment never
// leaves the browser (it is not sent with requests).

const KEY = 'policy=';

async function through(bytes, stream) {
  const out = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

function base64url(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function unbase64url(text) {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** The fragment for a policy's JSON text: '#policy=…'. */
export async function policyFragment(json) {
  const packed = await through(new TextEncoder().encode(json), new CompressionStream('deflate-raw'));
  return `#${KEY}${base64url(packed)}`;
}

/** The policy JSON text in a fragment, or null (no policy in it, or not readable). */
export async function policyFromFragment(hash) {
  const at = hash.indexOf(KEY);
  if (at < 0) return null;
  try {
    const bytes = await through(unbase64url(hash.slice(at + KEY.length)), new DecompressionStream('deflate-raw'));
    return new TextDecoder().decode(bytes);
  } catch {
    return null;
  }
}
