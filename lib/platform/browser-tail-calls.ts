import { parseStack } from './string-stacks.js';

/*
 * JavaScriptCore (Safari, every browser on iOS, WebKitGTK) implements ES2015's proper tail calls: in strict
 * code, which all ES modules and classes are, a function whose last act is `return f(…)` leaves the stack
 * before `f` runs, and `Error.stack` never names it. So `function take(pool) { return pool.acquire(); }`
 * vanishes from the site of the reference it takes, and the site names take's caller. A page has no switch
 * for it (Bun's is BUN_JSC_useTailCalls=0). The probe below is such a pair of functions, compared by their
 * own names (a minifier renames the frames and the names alike).
 */

function tailCallee(): string | undefined {
	return new Error().stack;
}
function tailCaller(): string | undefined {
	return tailCallee();
}

/** Whether this engine drops the frame of a function that ends in a tail call (false when it cannot tell). */
export function dropsTailCallFrames(): boolean {
	try {
		const stack = tailCaller();
		if (typeof stack !== 'string') return false;
		const [top, next] = parseStack(stack);
		return top?.fn === tailCallee.name && next?.fn !== tailCaller.name;
	} catch {
		return false;
	}
}

export const TAIL_CALLS_WARNING =
	"reftrace: this browser's engine (JavaScriptCore: Safari, WebKit) drops the frame of a function that ends in a tail call in strict code (all ES modules and classes), so a report's site may name the caller of such a function instead (`take() { return pool.acquire(); }` reads as take's caller); no setting changes that in a page: run the page in Chromium or Firefox to see every frame";
