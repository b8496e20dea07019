// Writes the input tensors of the wasi-nn classification example: a synthetic, deterministic text-line
// image for PaddleOCR's text-direction classifier (ch_ppocr_mobile_v2.0_cls, input x: f32 [1,3,48,192]).
//
//   node make-tensor.mjs OUTDIR
//
// OUTDIR/tensor.bin          "Hello World" in dark ink on white, upright (class 0, "0°")
// OUTDIR/tensor-flipped.bin  the same image turned by 180° (class 1, "180°")
//
// Layout: 1×3×48×192 f32 little-endian, CHW, channels B, G, R (the image is grey, so they are equal),
// normalised as PaddleOCR does: (pixel / 255 - 0.5) / 0.5, i.e. white = 1, black = -1.
// The glyphs come from a 5×9 bitmap font drawn below (rows 0-1 ascenders and capitals, 2-6 the x-height,
// 7-8 descenders), scaled to the image and anti-aliased by 4×4 supersampling. Only arithmetic is used,
// so every run (and every Node version) writes the same bytes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const H = 48, W = 192, C = 3;
const TEXT = 'Hello World';
const INK = 30, PAPER = 255; // grey levels 0..255

const FONT = {
  H: ['X...X', 'X...X', 'X...X', 'XXXXX', 'X...X', 'X...X', 'X...X', '.....', '.....'],
  W: ['X...X', 'X...X', 'X...X', 'X.X.X', 'X.X.X', 'XX.XX', 'X...X', '.....', '.....'],
  e: ['.....', '.....', '.XXX.', 'X...X', 'XXXXX', 'X....', '.XXXX', '.....', '.....'],
  l: ['.XX..', '..X..', '..X..', '..X..', '..X..', '..X..', '.XXX.', '.....', '.....'],
  o: ['.....', '.....', '.XXX.', 'X...X', 'X...X', 'X...X', '.XXX.', '.....', '.....'],
  r: ['.....', '.....', 'X.XX.', 'XX..X', 'X....', 'X....', 'X....', '.....', '.....'],
  d: ['....X', '....X', '.XXXX', 'X...X', 'X...X', 'X...X', '.XXXX', '.....', '.....'],
  ' ': ['.....', '.....', '.....', '.....', '.....', '.....', '.....', '.....', '.....'],
};
const GLYPH_W = 5, GLYPH_H = 9, ADVANCE = 6; // cells; one blank column between glyphs

// Cell size in pixels: the text spans the width less 4 px margins; cells are taller than wide.
const MARGIN_X = 4, TOP = 6;
const CELL_W = (W - 2 * MARGIN_X) / (TEXT.length * ADVANCE - 1);
const CELL_H = 4.6;

function inkAt(x, y) { // is the point (x, y), in pixels, inside a glyph's cell that is set?
  const cx = Math.floor((x - MARGIN_X) / CELL_W), cy = Math.floor((y - TOP) / CELL_H);
  if (x < MARGIN_X || y < TOP || cy >= GLYPH_H) return false;
  const glyph = Math.floor(cx / ADVANCE), col = cx % ADVANCE;
  if (glyph >= TEXT.length || col >= GLYPH_W) return false;
  const rows = FONT[TEXT[glyph]];
  if (!rows) throw new Error(`no glyph for ${JSON.stringify(TEXT[glyph])}`);
  return rows[cy][col] === 'X';
}

// Grey image, row-major, 0..255.
const grey = new Float64Array(H * W);
const SS = 4;
for (let y = 0; y < H; y++) {
  for (let x = 0; x < W; x++) {
    let covered = 0;
    for (let sy = 0; sy < SS; sy++)
      for (let sx = 0; sx < SS; sx++)
        if (inkAt(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS)) covered++;
    grey[y * W + x] = PAPER - (covered / (SS * SS)) * (PAPER - INK);
  }
}

function tensor(flip) {
  const buf = Buffer.alloc(C * H * W * 4);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const p = flip ? grey[(H - 1 - y) * W + (W - 1 - x)] : grey[y * W + x];
        buf.writeFloatLE((p / 255 - 0.5) / 0.5, ((c * H + y) * W + x) * 4);
      }
  return buf;
}

const out = process.argv[2];
if (!out) {
  console.error('usage: node make-tensor.mjs OUTDIR');
  process.exit(2);
}
writeFileSync(join(out, 'tensor.bin'), tensor(false));
writeFileSync(join(out, 'tensor-flipped.bin'), tensor(true));

// A look at the image in the terminal: MAKE_TENSOR_PREVIEW=1 node make-tensor.mjs OUTDIR
if (process.env.MAKE_TENSOR_PREVIEW) {
  for (let y = 0; y < H; y += 2) {
    let line = '';
    for (let x = 0; x < W; x += 1) line += grey[y * W + x] < 128 ? '#' : grey[y * W + x] < 250 ? '+' : '.';
    console.error(line);
  }
}
