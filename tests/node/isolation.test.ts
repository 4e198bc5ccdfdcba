import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPythonRuntime } from '../../src/runtime/client.ts';
import { IsolationBroken } from '../../src/runtime/memory-wall.ts';
import { nodeWorker } from '../../src/runtime/node/node-runtime.ts';
import type { MacroScript, PythonRuntime, RenderOutcome, RunOutcome } from '../../src/runtime/types.ts';
import { context, loadMacroHarness, type MacroHarness, post } from './macro-harness.ts';
import { sharedSnapshots } from './python-snapshot.ts';
import { buildNodeBundles } from './site-harness.ts';

/*
 * The hostile-script suite for the isolation model (docs/security.md, "One script, one call"): each
 * test is one way a script could reach another's call, tried against the real worker (real Pyodide
 * in a real Node worker thread, from the bundle `npm run build:node` makes, built once per run),
 * behind the same client as the browser's. Every one of them failed against the code before the isolation model; the five
 * marked "issue 14, hole N" failed against 38bc99e's Python reset and pass behind the memory wall
 * (memory-wall.ts). The tests that name the old reset's record stay: the same attacks must still
 * leave the next script untouched.
 */

/** Small, so that a runaway allocation meets it fast. */
const heapCapBytes = 320 * 2 ** 20;
let python: PythonRuntime;
/** The worker API's methods each worker the runtime started was called with, in start order. */
const workerMethods: Set<string>[] = [];

beforeAll(async () => {
  const workerUrl = pathToFileURL(join(await buildNodeBundles(), 'python-worker.mjs'));
  python = createPythonRuntime({
    createWorker: () => {
      const endpoint = nodeWorker(workerUrl, heapCapBytes);
      const called = new Set<string>();
      workerMethods.push(called);
      const post = endpoint.postMessage;
      endpoint.postMessage = (message, transfer) => {
        // Comlink's call of an API method: { type: 'APPLY', path: ['render'], … } (worker-api.ts).
        const { type, path } = message as { type?: unknown; path?: unknown };
        if (type === 'APPLY' && Array.isArray(path)) called.add(path.join('.'));
        post(message, transfer);
      };
      return endpoint;
    },
    maxHeapBytes: heapCapBytes / 2,
    renderTimeoutMs: 60_000,
    snapshots: sharedSnapshots,
  });
}, 180_000);

afterAll(() => python?.dispose());

let scripts = 0;
/** A macro whose module is `code` and whose render(context) returns `render` evaluated. */
function macro(code: string, render = '""'): MacroScript {
  scripts += 1;
  const slug = `macro_${scripts}`;
  return {
    id: slug,
    version: 1,
    slug,
    body: `${code}\n\ndef render(context):\n    return ${render}\n`,
    entrypoint: 'render',
  };
}

async function render(...scriptsToRender: MacroScript[]): Promise<RenderOutcome[]> {
  return python.renderMany(scriptsToRender.map((script) => ({ script, context: context(script.slug) })));
}

function html(outcome: RenderOutcome | undefined): string {
  if (!outcome?.ok) throw new Error(`the macro failed: ${JSON.stringify(outcome)}`);
  return outcome.html;
}

function run(code: string): Promise<RunOutcome> {
  return python.run({ fileName: 'hostile.py', code, timeoutMs: 60_000, onOutput: () => {} });
}

/** What json.dumps makes of a list, as an honest macro sees it. */
const honest = () => macro('import json', 'json.dumps([1, "a"])');

/**
 * Python lines, each after `indent`, that walk the callers' frames for the former reset's record
 * and put `tampered` in place of the `html.escape` it would put back.
 */
const rebindSavedEscapeInCallers = (indent: string) =>
  [
    'frame = sys._getframe(1)',
    'while frame is not None:',
    '    for namespace, saved in getattr(frame.f_locals.get("baseline"), "bindings", ()):',
    '        if namespace is html.__dict__:',
    '            saved["escape"] = tampered',
    '    frame = frame.f_back',
  ].map((line) => `${indent}${line}`);

describe('one script cannot change what another computes', () => {
  it('a standard module patched at import time is put back before the next script, in the batch and after', async () => {
    const patching = macro('import json\njson.dumps = lambda *args, **kwargs: "tampered"', 'json.dumps(1)');
    const [patched, inBatch] = await render(patching, honest());
    expect(html(patched)).toBe('tampered'); // the script itself sees its own change
    expect(html(inBatch)).toBe('[1, "a"]');
    expect(html((await render(honest()))[0])).toBe('[1, "a"]');
  }, 120_000);

  it("a batch runs each script's calls together: one reset per script, none between its own calls", async () => {
    const counting = macro(
      'import json',
      '(setattr(json, "counted", getattr(json, "counted", 0) + 1), str(json.counted))[1]',
    );
    const looking = macro('import json', 'str(hasattr(json, "counted"))');
    const outcomes = await render(counting, looking, counting, looking);
    // In the order asked; `counting`'s second call ran right after its first, in the same state.
    expect(outcomes.map(html)).toEqual(['1', 'False', '2', 'False']);
    expect(html((await render(counting))[0])).toBe('1');
  }, 120_000);

  it("a shared class's attributes are put back, and a shared function's code cannot be changed", async () => {
    const [classPatch, codePatch, after] = await render(
      macro('import json\njson.JSONEncoder.encode = lambda self, o: "tampered"', 'json.dumps(1)'),
      macro('import json\njson.dumps.__code__ = (lambda *a, **k: "tampered").__code__'),
      honest(),
    );
    expect(html(classPatch)).toBe('tampered');
    expect(codePatch).toMatchObject({ ok: false, message: expect.stringContaining('shared module') });
    expect(html(after)).toBe('[1, "a"]');
  }, 120_000);

  it('builtins, sys.modules entries and modules imported during a call are put back', async () => {
    const [, , , after] = await render(
      macro('import builtins\nbuiltins.len = lambda value: 42'),
      macro('import sys, types\nsys.modules["textwrap"] = types.ModuleType("textwrap")'),
      macro('import colorsys\ncolorsys.rgb_to_hsv = lambda *a: "tampered"'),
      macro(
        'import colorsys, textwrap',
        'f"{len([1, 2])} {textwrap.dedent(\'  x\')} {colorsys.rgb_to_hsv(1, 0, 0)}"',
      ),
    );
    expect(html(after)).toBe('2 x (0.0, 1.0, 1)');
  }, 120_000);

  it('an entry that only claims to equal the one it replaced is put back: reset compares identities', async () => {
    const [, after] = await render(
      macro(
        'import sys\nclass Path(str):\n    __hash__ = str.__hash__\n    def __eq__(self, other):\n        return True\n' +
          'sys.path[0] = Path(sys.path[0])',
      ),
      macro('import sys', 'type(sys.path[0]).__name__'),
    );
    expect(html(after)).toBe('str');
  }, 120_000);

  it("os.environ's own attributes are put back, so its decoder is not another script's", async () => {
    const [tampering, after] = await render(
      macro('import os\nos.environ.decodevalue = lambda value: "tampered"', 'os.environ["HOME"]'),
      macro('import os', 'os.environ["HOME"]'),
    );
    expect(html(tampering)).toBe('tampered');
    expect(html(after)).not.toBe('tampered');
    expect(html(after)).toMatch(/^\//);
  }, 120_000);

  it('an audit hook is refused, so it sees no later script', async () => {
    const hooking = macro(
      'import sys\nseen = []\ntry:\n    sys.addaudithook(lambda event, args: seen.append(str(args)[:200]))\nexcept Exception:\n    pass',
      '"|".join(seen)',
    );
    const secret = macro('SECRET = "the other macro\'s source"', 'SECRET');
    await render(hooking, secret);
    const [again] = await render(hooking);
    expect(html(again)).not.toContain('the other macro');
    expect(html(again)).toBe('');
  }, 120_000);

  it("linecache holds no other script's source after its call", async () => {
    const secret = macro('SECRET = "kept in linecache"', 'SECRET');
    const reading = macro(
      'import linecache',
      '"|".join("".join(lines[2]) for lines in linecache.cache.values())',
    );
    const [, read] = await render(secret, reading);
    expect(html(read)).not.toContain('kept in linecache');
  }, 120_000);

  it('files written to the in-memory file system are gone after the call', async () => {
    const [, after] = await render(
      macro(
        'with open("/home/pyodide/colorsys.py", "w") as file:\n    file.write("tampered = True")\nwith open("/tmp/note", "w") as file:\n    file.write("secret")',
      ),
      macro('import colorsys, os', "f\"{hasattr(colorsys, 'tampered')} {os.path.exists('/tmp/note')}\""),
    );
    expect(html(after)).toBe('False False');
  }, 120_000);

  it('a JavaScript global a script sets is gone after its call', async () => {
    const [, after] = await render(
      macro('import js\njs.leaked = "secret"'),
      macro('import js', 'str(hasattr(js, "leaked"))'),
    );
    expect(html(after)).toBe('False');
  }, 120_000);

  it.each([
    // The worker decodes every answer with JSON.parse, so a patch would rewrite later answers…
    [
      'JSON.parse',
      'js.JSON.parse = create_proxy(lambda text, *rest: original(text.replace("honest", "tampered")))',
    ],
    // …and encodes every request with JSON.stringify, so a patch would read and rewrite later scripts.
    [
      'JSON.stringify',
      'js.JSON.stringify = create_proxy(lambda value, *rest: original(value).replace("honest", "tampered"))',
    ],
  ])(
    "a script cannot patch the worker's %s to change another script's answer",
    async (name, patch) => {
      const patching = macro(
        `import js\nfrom pyodide.ffi import create_proxy\noriginal = js.${name}\ntry:\n    ${patch}\nexcept Exception as error:\n    refused = type(error).__name__`,
        'globals().get("refused", "patched")',
      );
      const [patched] = await render(patching);
      const [honestAfter] = await render(macro('', '"honest"'));
      expect(html(honestAfter)).toBe('honest');
      expect(html(patched)).toBe('JsException'); // Pyodide's wrapper of the TypeError
    },
    120_000,
  );

  it("the worker's built-in objects cannot be changed, nor a value hung on the global's prototypes", async () => {
    const targets = {
      'JSON.parse': 'js.JSON, "parse"',
      'Object.fromEntries': 'js.Object, "fromEntries"',
      'Array.prototype.map': 'js.Array.prototype, "map"',
      'Promise.prototype.then': 'js.Promise.prototype, "then"',
      'Map.prototype.get': 'js.Map.prototype, "get"',
      'Function.prototype.call': 'js.Function.prototype, "call"',
      'a new Object.prototype property': 'js.Object.prototype, "leaked"',
      "the global's prototype": 'js.Object.getPrototypeOf(js.globalThis), "leaked"',
      "zod's configuration": 'js.__zod_globalConfig, "jitless"',
      'Error.prepareStackTrace': 'js.Error, "prepareStackTrace"',
    };
    const attempts = Object.entries(targets).map(
      ([name, target]) => `    (${JSON.stringify(name)}, ${target}),`,
    );
    const tampering = macro(
      [
        'import js',
        'marker = js.Symbol("tampered")',
        'changed = []',
        'for name, target, key in [',
        ...attempts,
        ']:',
        '    try:\n        setattr(target, key, marker)\n    except Exception:\n        pass',
        '    if js.Reflect.get(target, key) == marker:\n        changed.append(name)',
      ].join('\n'),
      '", ".join(changed)',
    );
    const [tampered, after] = await render(tampering, macro('import js', 'str(hasattr(js, "leaked"))'));
    expect(html(tampered)).toBe('');
    expect(html(after)).toBe('False');
  }, 120_000);

  it('an error still takes its own name and message, with the built-ins frozen', async () => {
    // Frozen, Error.prototype's name would make `error.name = …` throw: the worker's own errors
    // (ProtocolError, zod's, Comlink's) set theirs so.
    const naming = macro(
      'import js',
      '(lambda error: (setattr(error, "name", "Custom"), setattr(error, "message", "own"), f"{error.name}: {error.message}")[2])(js.Error.new())',
    );
    const prototype = macro(
      'import js\ntry:\n    js.Error.prototype.name = "Changed"\nexcept Exception:\n    pass',
      'js.Error.prototype.name + " " + js.TypeError.new("x").name',
    );
    const [named, unchanged] = await render(naming, prototype);
    expect(html(named)).toBe('Custom: own');
    expect(html(unchanged)).toBe('Error TypeError');
  }, 120_000);

  it.each([
    [
      'change the record the reset restores',
      'import _pymark_isolation\nfor namespace, saved in _pymark_isolation._baseline.bindings:\n    if namespace is html.__dict__:\n        saved["escape"] = html.escape',
    ],
    [
      'turn the reset off by rebinding it',
      'import _pymark_macro_engine\n_pymark_macro_engine.reset = lambda: None',
    ],
    [
      // Freed by the reset, this object looked for the record in the frames that freed it.
      'reach the record from code that runs as the reset frees what it left',
      [
        'import sys',
        'class Reaching:',
        '    def __del__(self, tampered=html.escape):',
        ...rebindSavedEscapeInCallers('        '),
        'html.reaching = Reaching()',
      ].join('\n'),
    ],
    [
      'rebind what the reset calls, through the frame of a refused audit event',
      [
        'import gc',
        'try:\n    gc.get_objects()\nexcept RuntimeError as refusal:\n    trace = refusal.__traceback__',
        'while trace is not None:',
        '    if "_same_items" in trace.tb_frame.f_globals:',
        '        trace.tb_frame.f_globals["_same_items"] = lambda *args: True',
        '    trace = trace.tb_next',
      ].join('\n'),
    ],
    [
      // The reset's own frame holds the record: a tracer or profiler sees it called.
      'reach the record through a tracer that sees the reset called',
      [
        'import sys',
        'def tracer(frame, event, arg):',
        '    for namespace, saved in getattr(frame.f_locals.get("baseline"), "bindings", ()):',
        '        if namespace is html.__dict__:',
        '            saved["escape"] = html.escape',
        '    return None',
        'sys.settrace(tracer)',
        'sys.setprofile(tracer)',
      ].join('\n'),
    ],
    [
      'reach the record through a sys.monitoring callback',
      [
        'import sys',
        'def started(code, offset):',
        '    frame = sys._getframe(1)',
        '    for namespace, saved in getattr(frame.f_locals.get("baseline"), "bindings", ()):',
        '        if namespace is html.__dict__:',
        '            saved["escape"] = html.escape',
        'sys.monitoring.use_tool_id(3, "spy")',
        'sys.monitoring.register_callback(3, sys.monitoring.events.PY_START, started)',
        'sys.monitoring.set_events(3, sys.monitoring.events.PY_START)',
      ].join('\n'),
    ],
    [
      // The reset's own classes are the interpreter's subclasses of object: their methods'
      // __globals__ was the reset module's namespace (issue 14, hole 1).
      'rebind what the reset calls, through the classes object.__subclasses__() lists',
      [
        'for cls in object.__subclasses__():',
        '    for member in list(vars(cls).values()):',
        '        names = getattr(member, "__globals__", None)',
        '        if isinstance(names, dict) and "_put_back" in names:',
        '            names["_put_back"] = lambda *args: []',
      ].join('\n'),
    ],
    [
      // A class's metaclass runs as an attribute of the class is put back (issue 14, hole 3).
      'run code inside the reset through the metaclass of a shared class',
      [
        'import enum, sys',
        'def hooked(cls, name, *value, tampered=html.escape):',
        ...rebindSavedEscapeInCallers('    '),
        '    (type.__setattr__ if value else type.__delattr__)(cls, name, *value)',
        'enum.EnumType.__setattr__ = hooked',
        'enum.EnumType.__delattr__ = hooked',
        // Enum is put back before its metaclass, EnumType (both in enum's namespace).
        'enum.Enum.spy = 1',
      ].join('\n'),
    ],
  ])(
    'a script cannot %s',
    async (_, attack) => {
      const tampering = macro(
        `import html\nhtml.escape = lambda *args, **kwargs: "tampered"\ntry:\n${attack.replace(/^/gm, '    ')}\nexcept Exception as error:\n    refused = type(error).__name__`,
        'globals().get("refused", "tampered")',
      );
      await render(tampering);
      expect(html((await render(macro('import html', 'html.escape("<")')))[0])).toBe('&lt;');
    },
    120_000,
  );

  it("a macro cannot skip the reset of the rest of its batch through render_batch's frame", async () => {
    // Python 3.14's f_locals writes through: the batch loop's `reset` could be rebound (issue 14, hole 2).
    const skipping = macro(
      [
        'import html, sys',
        'def skip():',
        '    html.escape = lambda *args, **kwargs: "tampered"',
        '    frame = sys._getframe(1)',
        '    while frame is not None:',
        '        if "reset" in frame.f_locals:',
        '            frame.f_locals["reset"] = lambda: None',
        '        frame = frame.f_back',
        '    return "skipped"',
      ].join('\n'),
      'skip()',
    );
    const [, inBatch] = await render(skipping, macro('import html', 'html.escape("<")'));
    expect(html(inBatch)).toBe('&lt;');
  }, 120_000);

  it("an object inside a standard module, changed in place, is the next script's as it was", async () => {
    // Not a binding: json.dumps' shared encoder and re's cache kept a script's change (issue 14, hole 4).
    const changing = macro(
      'import json, re\njson._default_encoder.item_separator = "|"\nre._cache2[(str, "a", 0)] = re.compile("b")',
    );
    const reading = macro('import json, re', 'json.dumps([1, "a"]) + str(bool(re.match("a", "a")))');
    const [, inBatch] = await render(changing, reading);
    expect(html(inBatch)).toBe('[1, "a"]True');
    expect(html((await render(reading))[0])).toBe('[1, "a"]True');
  }, 120_000);

  it("a macro's frames reach no other script's source in its batch", async () => {
    // f_back led to the engine's frames, which held the whole batch (issue 14, hole 5).
    const spying = macro(
      [
        'import sys',
        'def spy(marker="SECRET" + "-SOURCE"):',
        '    frame = sys._getframe(1)',
        '    while frame is not None:',
        '        if any(marker in repr(value) for value in list(frame.f_locals.values())):',
        '            return "found"',
        '        frame = frame.f_back',
        '    return "nothing"',
      ].join('\n'),
      'spy()',
    );
    const [spied] = await render(spying, macro('# SECRET-SOURCE'));
    expect(html(spied)).toBe('nothing');
  }, 120_000);

  it("a macro that makes its own answer unreadable fails alone: the batch's other scripts keep theirs", async () => {
    const breaking = macro(
      'import _pymark_macro_engine\n_pymark_macro_engine.encode_results = lambda results: "junk"',
    );
    const [broken, after] = await render(breaking, honest());
    expect(broken).toMatchObject({ ok: false, message: expect.stringContaining('could not be read') });
    expect(html(after)).toBe('[1, "a"]');
  }, 120_000);

  it('a transform runs in another interpreter than macros: what a reset cannot undo stays there', async () => {
    // The macro's change stays in its own worker (the memory wall undoes it before another script).
    const [tampered] = await render(
      macro(
        'import json.encoder\njson.encoder.ESCAPE_DCT["\\n"] = "TAMPERED"',
        'json.encoder.py_encode_basestring("\\n")',
      ),
    );
    expect(html(tampered)).toBe('"TAMPERED"');
    const transform: MacroScript = {
      id: 'escaping',
      version: 1,
      slug: 'escaping',
      body: 'import json.encoder\n\ndef transform(post):\n    return json.encoder.py_encode_basestring("\\n")\n',
      entrypoint: 'transform',
    };
    const source = { kind: 'share' as const, title: 't', text: '', url: 'https://example.com/' };
    const outcome = await python.transformPost(transform, {
      title: 't',
      body: '',
      tags: [],
      categories: [],
      source,
    });
    expect(outcome).toMatchObject({ ok: true, post: { body: '"\\n"' } });
  }, 120_000);

  it('syntax checks and transforms go to a worker that never runs a macro or a utility', async () => {
    // Typed text and the posts transforms return must not meet anything a user macro left behind.
    await render(honest());
    await run('print("utility")\n');
    await python.checkScript('UNSAVED_TEXT = 1\n', 'draft.py');
    const identity: MacroScript = {
      id: 'identity',
      version: 1,
      slug: 'identity',
      body: 'def transform(post):\n    return post\n',
      entrypoint: 'transform',
    };
    const source = { kind: 'share' as const, title: 't', text: '', url: 'https://example.com/' };
    await python.transformPost(identity, { title: 't', body: '', tags: [], categories: [], source });
    const trusted = workerMethods.filter((methods) => methods.has('check') || methods.has('transform'));
    expect(trusted.length).toBeGreaterThan(0);
    for (const methods of trusted) {
      expect([...methods].filter((method) => method === 'render' || method === 'run')).toEqual([]);
    }
  }, 120_000);

  it('a garbage-collector callback a macro adds is gone when its call ends', async () => {
    const counting = macro('import gc', 'str(len(gc.callbacks))');
    const before = html((await render(counting))[0]);
    const leaving = macro(
      'import gc\ngc.callbacks.append(lambda phase, info: None)',
      'str(len(gc.callbacks))',
    );
    expect(Number(html((await render(leaving))[0]))).toBe(Number(before) + 1);
    expect(html((await render(counting))[0])).toBe(before);
  }, 120_000);

  it("a SIGINT handler a macro sets is gone when its call ends, so it never sees another's frames", async () => {
    const handler = macro('import signal', 'signal.getsignal(signal.SIGINT).__name__');
    expect(html((await render(handler))[0])).toBe('default_int_handler');
    // Stop interrupts through SIGINT: a handler left behind would run inside a later call, given its frame.
    const setting = macro(
      'import signal\ndef spy(number, frame):\n    pass\nsignal.signal(signal.SIGINT, spy)',
      'signal.getsignal(signal.SIGINT).__name__',
    );
    expect(html((await render(setting))[0])).toBe('spy');
    expect(html((await render(handler))[0])).toBe('default_int_handler');
    // Any signal: one whose handler is SIG_IGN (an int) at boot gets it back too.
    const ignored = macro('import signal', 'str(signal.getsignal(signal.SIGPIPE))');
    const before = html((await render(ignored))[0]);
    const catching = macro(
      'import signal\nsignal.signal(signal.SIGPIPE, print)',
      'str(signal.getsignal(signal.SIGPIPE))',
    );
    expect(html((await render(catching))[0])).not.toBe(before);
    expect(html((await render(ignored))[0])).toBe(before);
  }, 120_000);
});

describe("drafts in the preview's site data (issue 14)", () => {
  it('no macro can reach a draft, even after a utility that saw them', async () => {
    const draft = { ...post('draft', ['secret']), title: 'Secret draft' };
    const published = { ...post('published', ['open']), title: 'Public' };
    python.setSiteData({ posts: [draft, published] });
    // What every way past the former flag reads: site.posts with the flag cleared, and the raw tuple.
    const hostile = macro(
      'from pymark import site',
      '(setattr(site, "hide_drafts", False) if hasattr(site, "hide_drafts") else None) or ' +
        'repr(sorted({p["title"] for p in site.posts} | {p["title"] for p in site._posts}))',
    );
    expect(html((await render(hostile))[0])).toBe("['Public']");
    let printed = '';
    const utility = await python.run({
      fileName: 'drafts.py',
      code: `from pymark import site\nprint([p["title"] for p in site.posts], site.post("${draft.slug}")["title"])\n`,
      timeoutMs: 60_000,
      onOutput: (chunks) => {
        printed += chunks.map((chunk) => chunk.text).join('');
      },
    });
    expect(utility).toMatchObject({ kind: 'ok' });
    expect(printed).toBe("['Secret draft', 'Public'] Secret draft\n");
    const after = macro(
      'from pymark import site',
      `repr([[p["title"] for p in site._posts], site.post("${draft.slug}"), list(site.tag_counts(False))])`,
    );
    expect(html((await render(after))[0])).toBe("[['Public'], None, ['open']]");
  }, 120_000);
});

describe('nothing a script starts outlives its call', () => {
  it('timers and asyncio callbacks are cancelled when the call ends', async () => {
    const scheduling = macro(
      [
        'import asyncio, js',
        'from pyodide.ffi import create_proxy',
        'fired = []',
        'js.setInterval(create_proxy(lambda: fired.append("interval")), 1)',
        'asyncio.get_event_loop().call_later(0.001, lambda: fired.append("call_later"))',
        'async def task():\n    while True:\n        fired.append("task")\n        await asyncio.sleep(0.001)',
        'asyncio.ensure_future(task())',
      ].join('\n'),
      '",".join(fired)',
    );
    expect(html((await render(scheduling))[0])).toBe('');
    // Another round trip, then the same (cached) module again: nothing ran in between.
    await render(honest());
    expect(html((await render(scheduling))[0])).toBe('');
  }, 120_000);

  it.each([
    [
      'threads cannot start',
      'import threading\nthreading.Thread(target=print).start()\n',
      "can't start new thread",
    ],
    [
      'ctypes, which reads and writes memory past every rule, cannot be imported',
      'import ctypes\nprint(ctypes.string_at(id(1), 8))\n',
      'ImportError: _ctypes',
    ],
  ])(
    '%s',
    async (_, code, refusal) => {
      expect(await run(code)).toMatchObject({ kind: 'error', message: expect.stringContaining(refusal) });
    },
    120_000,
  );
});

describe('what a script hands to JavaScript reaches nothing after the restore', () => {
  // In this process, so that the test holds what the script handed over, as a listener it left on a
  // MessageChannel could (the worker's reset of its globals leaves such listeners).
  let harness: MacroHarness;
  const handed = globalThis as { handed?: Record<string, (() => unknown) | Iterator<unknown>> };
  beforeAll(async () => {
    harness = await loadMacroHarness();
  }, 180_000);
  afterAll(() => delete handed.handed);
  /** The interpreter's whole WebAssembly memory, copied. */
  const memory = () =>
    Buffer.from((harness.pyodide as unknown as { _module: { HEAPU8: Uint8Array } })._module.HEAPU8);
  const renderHere = (script: MacroScript) => harness.renderOne(script, context(script.slug));
  const handing = (expression: string) =>
    macro(
      [
        'import js',
        'from pyodide.ffi import create_once_callable, create_proxy, to_js',
        'def iterator_of(iterable, symbol):',
        '    iterable = create_proxy(iterable)',
        '    return js.Reflect.apply(js.Reflect.get(iterable, symbol), iterable, js.Array.new())',
        'async def numbers():\n    yield 1',
        'class Numbers:\n    def __aiter__(self):\n        return numbers()',
        `js.globalThis.handed = to_js(${expression}, dict_converter=js.Object.fromEntries)`,
      ].join('\n'),
    );

  it("a once-callable and a Python iterator's JavaScript side are ended: neither calls into memory", () => {
    renderHere(
      handing(
        '{"once": create_once_callable(lambda: "once"), "iterator": iterator_of([1, 2], js.Symbol.iterator)}',
      ),
    );
    const { once, iterator } = handed.handed as { once: () => unknown; iterator: Iterator<unknown> };
    expect(renderHere(honest())).toMatchObject({ kind: 'ok' }); // a restore
    const before = memory();
    expect(() => once()).toThrow('OnceProxy can only be called once');
    expect(iterator.next()).toEqual({ done: true, value: undefined });
    expect(memory().equals(before)).toBe(true); // not even a reference count changed
    expect(renderHere(honest())).toMatchObject({ kind: 'ok' });
  }, 120_000);

  it("a view of the memory a script handed to JavaScript is detached: it reaches no later script's memory", () => {
    renderHere(handing('{"buffer": create_proxy(bytearray(b"A" * 64)).getBuffer()}'));
    const { buffer } = handed.handed as unknown as { buffer: { data: Uint8Array; release(): void } };
    const view = buffer.data;
    expect(view.length).toBe(64);
    expect(renderHere(honest())).toMatchObject({ kind: 'ok' }); // a restore
    expect(view.length).toBe(0);
    const before = memory();
    buffer.release(); // it would free its address in the memory put back
    expect(memory().equals(before)).toBe(true);
    expect(renderHere(honest())).toMatchObject({ kind: 'ok' });
  }, 120_000);

  it('a symbolic link to a directory above it, and files outside /home, /tmp and /lib, are gone after the call', () => {
    renderHere(
      macro(
        [
          'import os',
          'os.symlink("/tmp", "/tmp/loop")',
          'os.makedirs("/usr/share")',
          'for path in ("/usr/share/left", "/left", "/dev/left"):\n    open(path, "w").write("left")',
        ].join('\n'),
      ),
    );
    const looking = macro(
      'import os',
      'repr([os.path.lexists(p) for p in ("/tmp/loop", "/usr", "/left", "/dev/left")])',
    );
    expect(renderHere(looking)).toMatchObject({ kind: 'ok', html: '[False, False, False, False]' });
  }, 120_000);

  it("a standard library file rewritten, its size and times kept, breaks the wall: its next import would run the script's code", async () => {
    const own = await loadMacroHarness(); // this test breaks its interpreter's wall
    own.renderOne(
      macro(
        [
          'import os, zipfile, zlib',
          'archive_path = "/lib/python314.zip"',
          'entry = zipfile.ZipFile(archive_path).getinfo("colorsys.py")',
          'before = os.stat(archive_path)',
          'packer = zlib.compressobj(9, zlib.DEFLATED, -15)',
          'code = packer.compress(b"def rgb_to_hsv(r, g, b):\\n    return \'tampered\'\\n") + packer.flush()',
          'with open(archive_path, "r+b") as archive:',
          '    archive.seek(entry.header_offset + 26)',
          '    name_length, extra_length = (int.from_bytes(archive.read(2), "little") for _ in range(2))',
          '    archive.seek(entry.header_offset + 30 + name_length + extra_length)',
          '    archive.write(code.ljust(entry.compress_size, b"\\0"))',
          'os.utime(archive_path, ns=(before.st_atime_ns, before.st_mtime_ns))',
        ].join('\n'),
      ),
      context('tampering'),
    );
    const importing = macro('import colorsys', 'str(colorsys.rgb_to_hsv(1, 0, 0))');
    expect(() => own.renderOne(importing, context(importing.slug))).toThrow(IsolationBroken);
  }, 180_000);

  it('a Python async iterator left open in JavaScript breaks the wall: its end would run after the restore', () => {
    renderHere(handing('{"iterator": iterator_of(Numbers(), js.Symbol.asyncIterator)}'));
    expect(() => renderHere(honest())).toThrow(IsolationBroken);
  }, 120_000);
});

describe('runaway runs', () => {
  it('the interrupt buffer is out of reach, so Stop still interrupts', async () => {
    const stop = new AbortController();
    const outcome = python.run({
      fileName: 'hostile.py',
      code: [
        'import js',
        'try:\n    import pyodide_js\n    pyodide_js.setInterruptBuffer(js.Int32Array.new(1))\nexcept ImportError:\n    print("no pyodide_js")',
        // Output arrives while the script runs, so Stop is pressed while it loops.
        'while True:\n    print("looping", flush=True)',
      ].join('\n'),
      timeoutMs: 60_000,
      onOutput: (chunks) => {
        if (chunks.some((chunk) => chunk.text.includes('looping'))) stop.abort();
      },
      signal: stop.signal,
    });
    expect(await outcome).toMatchObject({ kind: 'stopped', cause: 'stop', via: 'interrupt' });
  }, 120_000);

  it('the heap bound holds during a run: allocation past it raises MemoryError', async () => {
    const outcome = await run('blocks = []\nwhile True:\n    blocks.append(bytearray(2**24))\n');
    expect(outcome).toMatchObject({ kind: 'error', message: expect.stringContaining('MemoryError') });
  }, 120_000);

  it('deep recursion raises RecursionError whatever limit the script sets', async () => {
    const outcome = await run(
      'import sys\nsys.setrecursionlimit(10**6)\ndef deeper(n):\n    return [deeper(n + 1)]\ndeeper(0)\n',
    );
    expect(outcome).toMatchObject({ kind: 'error', message: expect.stringContaining('RecursionError') });
  }, 120_000);
});

describe("the Node worker's lockdown", () => {
  it.each([
    ['process', 'import js\njs.process.pid'],
    ['Buffer', 'import js\njs.Buffer'],
    ['fetch', 'import js\njs.fetch'],
    ['Function', 'import js\njs.Function("return 1")()'],
    ['a function constructor', 'import js\njs.Object.constructor.constructor("return process")()'],
    ['eval', 'import js\njs.eval("1")'],
    // Its ports answering each other would keep running after the call (docs/security.md).
    ['MessageChannel', 'import js\njs.MessageChannel.new()'],
    ['the host file system', 'open("/etc/passwd").read()'],
  ])(
    'refuses %s',
    async (_, code) => {
      expect(await run(`${code}\n`)).toMatchObject({ kind: 'error' });
    },
    120_000,
  );
});
