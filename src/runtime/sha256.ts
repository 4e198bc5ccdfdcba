/*
 * SHA-256 in plain JavaScript, for the sandboxed worker: a blob: worker of an opaque origin is not a
 * secure context, so it has no `crypto.subtle` (measured in Chromium 156; docs/security.md).
 */

const roundConstants = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** The 32-byte SHA-256 digest of `bytes`. */
export function sha256(bytes: Uint8Array): Uint8Array {
  const hash = Uint32Array.from([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  // Padding: 0x80, zeros, then the bit length in the last 8 bytes of a 64-byte block.
  const tail = new Uint8Array((bytes.length % 64 < 56 ? 64 : 128) - (bytes.length % 64));
  tail[0] = 0x80;
  new DataView(tail.buffer).setUint32(tail.length - 4, (bytes.length * 8) >>> 0);
  new DataView(tail.buffer).setUint32(tail.length - 8, Math.floor(bytes.length / 2 ** 29));
  const wholeBlocks = bytes.length - (bytes.length % 64);
  const last = new Uint8Array(bytes.length - wholeBlocks + tail.length);
  last.set(bytes.subarray(wholeBlocks));
  last.set(tail, bytes.length - wholeBlocks);

  const words = new Uint32Array(64);
  const compress = (view: DataView, offset: number) => {
    for (let i = 0; i < 16; i++) words[i] = view.getUint32(offset + i * 4);
    for (let i = 16; i < 64; i++) {
      const w15 = words[i - 15] as number;
      const w2 = words[i - 2] as number;
      const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
      words[i] = (words[i - 16] as number) + s0 + (words[i - 7] as number) + s1;
    }
    let [a, b, c, d, e, f, g, h] = hash as unknown as number[];
    for (let i = 0; i < 64; i++) {
      const t1 =
        (h as number) +
        (rotr(e as number, 6) ^ rotr(e as number, 11) ^ rotr(e as number, 25)) +
        (((e as number) & (f as number)) ^ (~(e as number) & (g as number))) +
        (roundConstants[i] as number) +
        (words[i] as number);
      const t2 =
        (rotr(a as number, 2) ^ rotr(a as number, 13) ^ rotr(a as number, 22)) +
        (((a as number) & (b as number)) ^ ((a as number) & (c as number)) ^ ((b as number) & (c as number)));
      h = g;
      g = f;
      f = e;
      e = ((d as number) + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    const next = [a, b, c, d, e, f, g, h];
    for (let i = 0; i < 8; i++) hash[i] = (hash[i] as number) + (next[i] as number);
  };
  const body = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let offset = 0; offset < wholeBlocks; offset += 64) compress(body, offset);
  const lastView = new DataView(last.buffer);
  for (let offset = 0; offset < last.length; offset += 64) compress(lastView, offset);

  const digest = new Uint8Array(32);
  const out = new DataView(digest.buffer);
  for (let i = 0; i < 8; i++) out.setUint32(i * 4, hash[i] as number);
  return digest;
}
