import { expect, test } from 'vitest';
import { parseStack, stringStacks } from '../lib/platform/string-stacks.js';
import { dropsTailCallFrames } from '../lib/platform/browser-tail-calls.js';

// Stack texts as Firefox (SpiderMonkey) and Safari (JavaScriptCore) write them for `new Error().stack` in an
// app served by a dev server, with reftrace's own frames on top: the strings the browser host parses
// where there is no CallSite API. The browsers themselves are driven by test/browser.test.ts.
const FIREFOX = [
	'readStack@http://localhost:5173/node_modules/.vite/deps/reftrace.js?v=3f2a:1510:12',
	'captureFrames@http://localhost:5173/node_modules/.vite/deps/reftrace.js?v=3f2a:1520:17',
	'end@http://localhost:5173/node_modules/.vite/deps/reftrace.js?v=3f2a:2240:44',
	'release@http://localhost:5173/node_modules/.vite/deps/reftrace.js?v=3f2a:2330:10',
	'resize@http://localhost:5173/src/app.ts:24:9',
	'async*loadScene@http://localhost:5173/src/app.ts:33:3',
	'build@http://localhost:5173/src/gen.js line 3 > eval:1:9',
	'@http://localhost:5173/src/app.ts:40:1',
	'',
].join('\n');

const SAFARI = [
	'readStack@http://localhost:4173/assets/index-4f2a91.js:1:20391',
	'captureFrames@http://localhost:4173/assets/index-4f2a91.js:1:20480',
	'release@http://localhost:4173/assets/index-4f2a91.js:1:30012',
	'resize@http://localhost:4173/assets/index-4f2a91.js:1:41877',
	'forEach@[native code]',
	'@http://localhost:4173/assets/index-4f2a91.js:1:42011',
	'module code@http://localhost:4173/assets/index-4f2a91.js:1:42230',
].join('\n');

test('Firefox stack texts parse into frames: names, URLs with queries, async resumptions, eval origins, anonymous code', () => {
	expect(parseStack(FIREFOX).slice(4)).toEqual([
		{ fn: 'resize', file: 'http://localhost:5173/src/app.ts', line: 24, column: 9, evalOrigin: null, native: false },
		{ fn: 'async loadScene', file: 'http://localhost:5173/src/app.ts', line: 33, column: 3, evalOrigin: null, native: false },
		{ fn: 'build', file: '<anonymous>', line: 1, column: 9, evalOrigin: 'eval at http://localhost:5173/src/gen.js:3', native: false },
		{ fn: null, file: 'http://localhost:5173/src/app.ts', line: 40, column: 1, evalOrigin: null, native: false },
	]);
	expect(parseStack(FIREFOX)[0]!.file).toBe('http://localhost:5173/node_modules/.vite/deps/reftrace.js?v=3f2a');
});

test("Safari stack texts parse into frames: native code, top-level code named as V8 leaves it (unnamed)", () => {
	expect(parseStack(SAFARI).slice(3)).toEqual([
		{ fn: 'resize', file: 'http://localhost:4173/assets/index-4f2a91.js', line: 1, column: 41877, evalOrigin: null, native: false },
		{ fn: 'forEach', file: '<unknown>', line: 0, column: 0, evalOrigin: null, native: true },
		{ fn: null, file: 'http://localhost:4173/assets/index-4f2a91.js', line: 1, column: 42011, evalOrigin: null, native: false },
		{ fn: null, file: 'http://localhost:4173/assets/index-4f2a91.js', line: 1, column: 42230, evalOrigin: null, native: false },
	]);
});

// Stand-ins with the public functions' names: captures are cut at the topmost frame named like `above`.
function release(): void {}
function acquire(): void {}

test('captures from stack texts are cut below the public function called, whatever frames reftrace had above it', () => {
	const firefox = stringStacks(() => FIREFOX).captureFrames(10, release)!;
	expect(firefox.map((f) => f.fn)).toEqual(['resize', 'async loadScene', 'build', null]);
	const safari = stringStacks(() => SAFARI).captureFrames(10, release)!;
	expect(safari.map((f) => f.fn)).toEqual(['resize', 'forEach', null, null]);
	// A native frame is a dependency: it does not count against the depth asked for.
	expect(safari[1]!.dependency).toBe(true);
	expect(stringStacks(() => SAFARI).captureFrames(1, release)!.map((f) => f.fn)).toEqual(['resize']);
	expect(stringStacks(() => SAFARI).captureFrames(2, release)!.map((f) => f.fn)).toEqual(['resize', 'forEach', null]);
});

test('without the public function on the stack, only the capture\'s own two frames are left out', () => {
	expect(stringStacks(() => SAFARI).captureFrames(3, acquire)!.map((f) => f.fn)).toEqual(['release', 'resize', 'forEach', null]);
});

test('equal lines give the same frame object (the stack depot interns by identity); wrapper files are skipped at the top', () => {
	const stacks = stringStacks(() => FIREFOX);
	const first = [...stacks.captureFrames(10, release)!];
	const second = stacks.captureFrames(10, release)!;
	expect(second.every((frame, i) => frame === first[i])).toBe(true);
	stacks.setWrappers((file) => file.endsWith('/src/app.ts'));
	expect(stacks.captureFrames(10, release)!.map((f) => f.fn)).toEqual(['build', null]);
});

test("an error's stack text is trimmed below the public function; a stack without it is kept", () => {
	const error = new Error('x');
	error.stack = FIREFOX;
	stringStacks().trimErrorStack(error, release);
	expect(error.stack.split('\n')[0]).toBe('resize@http://localhost:5173/src/app.ts:24:9');
	const other = new Error('y');
	other.stack = SAFARI;
	stringStacks().trimErrorStack(other, acquire);
	expect(other.stack).toBe(SAFARI);
});

test("V8's stack text is read too, live: a capture in a function named like the public one names its caller", () => {
	const stacks = stringStacks();
	function end(): readonly { fn: string | null; file: string }[] {
		return stacks.captureFrames(3, end)!;
	}
	function closeWindow(): readonly { fn: string | null; file: string }[] {
		return end();
	}
	const frames = closeWindow();
	expect(frames[0]!.fn).toBe('closeWindow');
	expect(frames[0]!.file).toMatch(/string-stacks\.test\.ts$/);
});

test('a stack that cannot be read is no capture, and says why', () => {
	const stacks = stringStacks(() => {
		throw new TypeError('frozen');
	});
	expect(stacks.captureFrames(5, release)).toBeNull();
	expect(stacks.captureFailure()).toBe("reading an error's stack threw TypeError: frozen");
});

test('where the engine has Error.captureStackTrace, the stack is cut at the public function by identity, even an unnamed one', () => {
	const stacks = stringStacks();
	const unnamed = [(): readonly { fn: string | null }[] => stacks.captureFrames(3, unnamed[0]!)!];
	expect(unnamed[0]!.name).toBe('');
	function caller(): readonly { fn: string | null }[] {
		return unnamed[0]!();
	}
	expect(caller()[0]!.fn).toBe('caller');
});

// Recorded in WebKitGTK 2.50.6 (JavaScriptCore, Safari's engine; MiniBrowser driven by test/browser.test.ts's
// driver), `new Error().stack` in an inline module of about:blank. No heading line; `module code` for the
// module's top level; an async function called shows twice until its first await (its body's frame, then
// one at its parameter list), and after an await only the resumed function, none of its awaiting callers;
// `tailer() { return probe(); }` is gone from the third (strict code: a proper tail call); code from
// `eval` and `new Function` has no location.
const WEBKIT_ASYNC = ['probe@about:blank:2:36', 'loadScene@about:blank:4:18', 'loadScene@about:blank:3:26', 'outerAsync@about:blank:11:56', 'outerAsync@about:blank:11:72', 'module code@about:blank:17:11'].join('\n');
const WEBKIT_RESUMED = ['probe@about:blank:2:36', 'loadScene@about:blank:6:18'].join('\n');
const WEBKIT_TAIL_CALL = ['probe@about:blank:2:36', '@about:blank:17:57'].join('\n');
const WEBKIT_EVAL = ['probe@about:blank:2:36', 'eval code@', 'eval@[native code]', '@about:blank:17:169'].join('\n');
const WEBKIT_FUNCTION = ['anonymous@', '@about:blank:17:226'].join('\n');

test('WebKit stack texts, as recorded: module code, async functions, a dropped tail call, eval and Function code without a location', () => {
	const frame = (fn: string | null, line: number, column: number) => ({ fn, file: 'about:blank', line, column, evalOrigin: null, native: false });
	const nowhere = (fn: string | null) => ({ fn, file: '<unknown>', line: 0, column: 0, evalOrigin: null, native: true });
	expect(parseStack(WEBKIT_ASYNC)).toEqual([frame('probe', 2, 36), frame('loadScene', 4, 18), frame('loadScene', 3, 26), frame('outerAsync', 11, 56), frame('outerAsync', 11, 72), frame(null, 17, 11)]);
	expect(parseStack(WEBKIT_RESUMED)).toEqual([frame('probe', 2, 36), frame('loadScene', 6, 18)]);
	expect(parseStack(WEBKIT_TAIL_CALL)).toEqual([frame('probe', 2, 36), frame(null, 17, 57)]);
	expect(parseStack(WEBKIT_EVAL)).toEqual([frame('probe', 2, 36), nowhere(null), nowhere('eval'), frame(null, 17, 169)]);
	expect(parseStack(WEBKIT_FUNCTION)).toEqual([nowhere('anonymous'), frame(null, 17, 226)]);
});

// The acquisition stack of an `instrument`ed class's `new` in the example page, in WebKitGTK with
// `Error.captureStackTrace` deleted (an engine without it): reftrace's capture, then its frames down to the
// patched constructor (named `Instrumented` in its source, `RawBuffer` by its `name`), then the app's.
// The frames from `begin` down are as WebKitGTK wrote them (the report printed each); the top two are the
// capture's own.
const WEBKIT_NO_CAPTURE = [
	'read@http://127.0.0.1:44007/app.js:1120:36',
	'captureFrames@http://127.0.0.1:44007/app.js:1131:20',
	'begin@http://127.0.0.1:44007/app.js:1143:142',
	'trackBelow@http://127.0.0.1:44007/app.js:3489:31',
	'adopt@http://127.0.0.1:44007/app.js:3601:27',
	'Instrumented@http://127.0.0.1:44007/app.js:3772:12',
	'drawFrame@http://127.0.0.1:44007/app.js:3861:32',
	'module code@http://127.0.0.1:44007/app.js:3877:50',
].join('\n');

test("without Error.captureStackTrace, an adapter's patched function is cut at by its name in its own source, which its frames bear", () => {
	class RawBuffer {}
	const Instrumented = class Instrumented extends RawBuffer {};
	Object.defineProperty(Instrumented, 'name', { value: RawBuffer.name });
	expect(stringStacks(() => WEBKIT_NO_CAPTURE).captureFrames(10, Instrumented)!.map((f) => f.fn)).toEqual(['drawFrame', null]);
	// embind's wrapper: a function expression named in its source, renamed after what it wraps.
	const wrapped = function wrapped(): void {};
	Object.defineProperty(wrapped, 'name', { value: 'drawFrame' });
	const text = WEBKIT_NO_CAPTURE.replace('Instrumented@', 'wrapped@');
	expect(stringStacks(() => text).captureFrames(10, wrapped)!.map((f) => f.fn)).toEqual(['drawFrame', null]);
	// A function whose source names nothing is cut by its name alone; without either, only the capture's frames go.
	expect(stringStacks(() => WEBKIT_NO_CAPTURE).captureFrames(10, Object.defineProperty(() => {}, 'name', { value: 'adopt' }))!.map((f) => f.fn)).toEqual(['Instrumented', 'drawFrame', null]);
	expect(stringStacks(() => WEBKIT_NO_CAPTURE).captureFrames(2, Object.defineProperty(() => {}, 'name', { value: '' }))!.map((f) => f.fn)).toEqual(['begin', 'trackBelow']);
});

test("trimming an error's stack text without Error.captureStackTrace finds the adapter's frame by its source name too", () => {
	const Instrumented = class Instrumented {};
	Object.defineProperty(Instrumented, 'name', { value: 'RawBuffer' });
	const error = new Error('x');
	error.stack = WEBKIT_NO_CAPTURE;
	stringStacks(() => WEBKIT_NO_CAPTURE).trimErrorStack(error, Instrumented);
	expect(error.stack.split('\n')).toEqual(['drawFrame@http://127.0.0.1:44007/app.js:3861:32', 'module code@http://127.0.0.1:44007/app.js:3877:50']);
});

test('the tail-call probe: V8 (here, Node) keeps the tail-calling frame, so nothing is said', () => {
	expect(dropsTailCallFrames()).toBe(false);
});
