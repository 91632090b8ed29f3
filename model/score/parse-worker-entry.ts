/** Entry of the batch scorer's parse thread (see parse-worker.ts). */
import { runParseWorker } from './parse-worker';

runParseWorker();
