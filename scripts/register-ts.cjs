/**
 * A minimal TypeScript loader for the cdktf app (`node -r ./scripts/register-ts.cjs main.ts`).
 * tsx costs ~0.4 s of start-up per synth; esbuild's synchronous transform of the project files
 * is cheaper, and cheaper still when nothing changed: each file's JavaScript is cached in the temp
 * folder under a hash of its source, its path and esbuild's version, so a repeated synth does not
 * load or start esbuild at all (about 0.4 s of a 2.3 s synth). Type errors are the job of
 * `npm run typecheck`, not of synth.
 *
 * A cache entry ends with the sha256 of the JavaScript before it; an entry whose digest does not
 * match (truncated, corrupted) is never run: the file is transformed again and the entry replaced.
 *
 * Measured and left out: V8's code cache (`vm.Script` `cachedData`) saved nothing here: with the
 * cache the 489 modules' compile took as long as without (V8 compiles lazily, and the pre-parse of
 * these files is already fast), and checking each source against its cache entry cost more.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');

const CACHE_DIR = path.join(os.tmpdir(), 'fraud-ts-cache');
const OPTIONS = { loader: 'ts', format: 'cjs', target: 'node20', sourcemap: 'inline' };
const TRAILER = '\n//# fraud-ts-cache sha256=';
const ESBUILD_VERSION = require('esbuild/package.json').version;

const sha256 = (text) => crypto.createHash('sha256').update(text).digest('hex');

/** The cached JavaScript of an entry whose digest checks out, else `undefined`. */
function readEntry(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // not cached yet
  }
  const at = text.lastIndexOf(TRAILER);
  if (at < 0) return undefined;
  const code = text.slice(0, at);
  return text.slice(at + TRAILER.length) === sha256(code) ? code : undefined;
}

function transform(source, filename) {
  const key = crypto
    .createHash('sha256')
    .update(`${ESBUILD_VERSION}\0${JSON.stringify(OPTIONS)}\0${filename}\0`)
    .update(source)
    .digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  const hit = readEntry(cached);
  if (hit !== undefined) return hit;
  // Loaded only on a miss: requiring esbuild alone costs ~15 ms of every synth.
  const { code } = require('esbuild').transformSync(source, { ...OPTIONS, sourcefile: filename });
  const tmp = `${cached}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    // Write under a temporary name, then rename: a concurrent reader never sees half a file.
    fs.writeFileSync(tmp, `${code}${TRAILER}${sha256(code)}`);
    fs.renameSync(tmp, cached);
  } catch {
    // A cache that cannot be written only costs speed.
    fs.rmSync(tmp, { force: true });
  }
  return code;
}

require.extensions['.ts'] = function compileTs(module, filename) {
  module._compile(transform(fs.readFileSync(filename, 'utf8'), filename), filename);
};

/**
 * Modules cdktf loads at start-up but a synth never calls, loaded on first use instead:
 * - `archiver` (~0.1 s, ~60 modules) in cdktf/lib/private/fs.js serves only zip assets, which cdktf
 *   builds in a child `node fs.js` process that loads the real module (this hook is not in it);
 * - `semver` in cdktf/lib/validations/validate-binary-version.js serves only the terraform version
 *   check, which this app does not run (synth needs no terraform binary).
 * Keyed by the requiring file, so nothing else that requires these modules is affected.
 */
const DEFERRED = new Map([
  [path.join('cdktf', 'lib', 'private', 'fs.js'), 'archiver'],
  [path.join('cdktf', 'lib', 'validations', 'validate-binary-version.js'), 'semver'],
]);

/** A stand-in that loads the module on first call or property access and forwards to it. */
function deferred(load) {
  let real;
  const target = () => (real ??= load());
  return new Proxy(function deferredModule() {}, {
    apply: (_, self, args) => Reflect.apply(target(), self, args),
    construct: (_, args) => Reflect.construct(target(), args),
    get: (_, key) => Reflect.get(target(), key),
    has: (_, key) => Reflect.has(target(), key),
  });
}

const load = Module._load;
Module._load = function loadDeferred(request, parent, isMain) {
  const file = parent && parent.filename;
  if (file && !isMain) {
    for (const [suffix, name] of DEFERRED) {
      if (request === name && file.endsWith(path.sep + suffix)) {
        return deferred(() => load.call(this, request, parent, isMain));
      }
    }
  }
  return load.call(this, request, parent, isMain);
};
