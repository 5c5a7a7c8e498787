// Reads safetensors files (https://github.com/huggingface/safetensors): 8 bytes little-endian header length n, n bytes
// of UTF-8 JSON { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { string: string } }, then the
// data buffer (offsets relative to its start, little-endian, row-major). No dependencies: runs in the page and in Node.

const ELEMENT_BYTES = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
const MAX_HEADER_BYTES = 100_000_000;

let halfTable = null;
// Float32 value of every IEEE binary16 bit pattern (256 KB, built once): decoding is one lookup per number.
function halfToFloatTable() {
  if (halfTable) return halfTable;
  halfTable = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1, exponent = (h >> 10) & 0x1f, fraction = h & 0x3ff;
    halfTable[h] = exponent === 0 ? sign * fraction * 2 ** -24
      : exponent === 31 ? (fraction ? NaN : sign * Infinity)
        : sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return halfTable;
}

/** Decodes count binary16 numbers of source (Uint16Array) from sourceOffset into target (Float32Array) at targetOffset. */
export function decodeHalf(source, sourceOffset, target, targetOffset, count) {
  const table = halfToFloatTable();
  for (let i = 0; i < count; i++) target[targetOffset + i] = table[source[sourceOffset + i]];
}

/** One tensor of a file: dtype, shape, element count and its bytes' place in the file. */
export class SafetensorsTensor {
  // bytes: the whole file (Uint8Array); begin, end: this tensor's byte range in it.
  constructor(bytes, name, dtype, shape, begin, end) {
    Object.assign(this, { bytes, name, dtype, shape, begin, end });
    this.count = shape.reduce((a, b) => a * b, 1);
  }

  // A typed-array view of the raw data (a copy when the data is not aligned to the element size).
  raw(ArrayType) {
    const { buffer, byteOffset } = this.bytes;
    const start = byteOffset + this.begin;
    const bytes = ArrayType.BYTES_PER_ELEMENT;
    return start % bytes === 0
      ? new ArrayType(buffer, start, (this.end - this.begin) / bytes)
      : new ArrayType(buffer.slice(start, start + this.end - this.begin));
  }

  /** The values as they are stored, without conversion: Float32Array (F32), Uint16Array (F16 bit patterns), Float64Array (F64). */
  stored() {
    switch (this.dtype) {
      case 'F32': return this.raw(Float32Array);
      case 'F16': return this.raw(Uint16Array);
      case 'F64': return this.raw(Float64Array);
      default: throw new Error(`${this.name}: ${this.dtype} is not a floating-point type`);
    }
  }

  /** All values as a Float32Array (F32 as a view, F16/BF16/F64 decoded). */
  float32() {
    switch (this.dtype) {
      case 'F32': return this.raw(Float32Array);
      case 'F64': return Float32Array.from(this.raw(Float64Array));
      case 'F16': {
        const out = new Float32Array(this.count);
        decodeHalf(this.raw(Uint16Array), 0, out, 0, this.count);
        return out;
      }
      case 'BF16': {
        const bits = this.raw(Uint16Array), words = new Uint32Array(this.count);
        for (let i = 0; i < this.count; i++) words[i] = bits[i] << 16;
        return new Float32Array(words.buffer);
      }
      default: throw new Error(`${this.name}: ${this.dtype} is not a floating-point type`);
    }
  }

  /** All values as an Int32Array (I32 as a view; I64/I16/I8/U8 converted; I64 values must fit in 32 bits). */
  int32() {
    switch (this.dtype) {
      case 'I32': return this.raw(Int32Array);
      case 'I16': return Int32Array.from(this.raw(Int16Array));
      case 'I8': return Int32Array.from(this.raw(Int8Array));
      case 'U8': return Int32Array.from(this.raw(Uint8Array));
      case 'I64': {
        const words = this.raw(Int32Array), out = new Int32Array(this.count);
        for (let i = 0; i < this.count; i++) {
          const low = words[2 * i], high = words[2 * i + 1];
          if (high !== (low < 0 ? -1 : 0)) throw new Error(`${this.name}[${i}] does not fit in 32 bits`);
          out[i] = low;
        }
        return out;
      }
      default: throw new Error(`${this.name}: ${this.dtype} is not an integer type`);
    }
  }
}

/** A parsed file: metadata (string to string), tensor names and tensors. Validates the header against the file size. */
export class SafetensorsFile {
  constructor(bytes, tensors, metadata, label = 'safetensors file') {
    this.bytes = bytes;
    this.tensors = tensors;
    this.metadata = metadata;
    this.label = label;
  }

  /** Parses an ArrayBuffer or Uint8Array holding a complete file; throws Error naming what is wrong. */
  static parse(data, label = 'safetensors file') {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    if (bytes.byteLength < 8) throw new Error(`${label}: ${bytes.byteLength} bytes, too short for a safetensors header`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerLength = Number(view.getBigUint64(0, true));
    if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > bytes.byteLength)
      throw new Error(`${label}: header length ${headerLength} does not fit the ${bytes.byteLength}-byte file`);
    let header;
    try {
      header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    } catch (e) {
      throw new Error(`${label}: header is not JSON (${e.message})`);
    }
    const dataStart = 8 + headerLength, dataBytes = bytes.byteLength - dataStart;
    const tensors = new Map();
    let metadata = {};
    for (const [name, entry] of Object.entries(header)) {
      if (name === '__metadata__') { metadata = entry ?? {}; continue; }
      const { dtype, shape, data_offsets: offsets } = entry ?? {};
      const size = ELEMENT_BYTES[dtype];
      if (!size) throw new Error(`${label}: tensor ${name} has unsupported dtype ${dtype}`);
      if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`${label}: tensor ${name} has a bad shape`);
      if (!Array.isArray(offsets) || offsets.length !== 2) throw new Error(`${label}: tensor ${name} has bad data_offsets`);
      const [begin, end] = offsets;
      const count = shape.reduce((a, b) => a * b, 1);
      if (!(Number.isInteger(begin) && Number.isInteger(end) && begin >= 0 && end <= dataBytes && end - begin === count * size))
        throw new Error(`${label}: tensor ${name} [${shape}] ${dtype} has data_offsets ${begin}..${end} outside the data or of the wrong size`);
      tensors.set(name, new SafetensorsTensor(bytes, name, dtype, shape, dataStart + begin, dataStart + end));
    }
    return new SafetensorsFile(bytes, tensors, metadata, label);
  }

  has(name) { return this.tensors.has(name); }

  /** The tensor, or an Error naming the missing key; with expected dims (null = any), checks its shape. */
  tensor(name, dims = null) {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`${this.label}: no tensor '${name}' (has ${[...this.tensors.keys()].join(', ')})`);
    if (dims && (dims.length !== t.shape.length || dims.some((d, i) => d !== null && d !== t.shape[i])))
      throw new Error(`${this.label}: tensor '${name}' has shape [${t.shape}], expected [${dims.map((d) => d ?? '*')}]`);
    return t;
  }
}
