/**
 * `reftrace/embind`: Emscripten embind libraries (CanvasKit, opencv.js, Box2D …) traced in one call.
 * @example
 * import CanvasKitInit from 'canvaskit-wasm';
 * import { traceEmbind } from 'reftrace/embind';
 * const CK = traceEmbind(await CanvasKitInit(), { borrowed: ['Surface.getCanvas'] });
 */
import { nodeHost } from './platform/node.js';
import { start } from './start.js';
import { traceWhenAsked } from './trace.js';

export { traceEmbind, type EmbindOptions } from './embind-adapter.js';

start(nodeHost, traceWhenAsked);
