// A kernel worker thread (started by threads.ts). Plain JavaScript because worker_threads load their
// file with Node's own loader, which has no TypeScript transform under vitest. It instantiates the
// kernels on the shared kernel memory, then sleeps on the futex word `wake` and, each time it is woken,
// claims chunks of whichever job is posted (a product in `job`, a softmax pass in `softmax`) until none
// are left. The claiming is in the modules (`gemm_work`, `softmax_ce_work`): a record with no job open
// gives nothing to claim.
import { workerData } from 'node:worker_threads';

const { gemmModule, vectorModule, memory, job, softmax, work, words, softmaxWords, wake, done, failed, workerBlocks, spinMs } = workerData;
const { gemm_work: gemmWork } = new WebAssembly.Instance(gemmModule, { env: { memory } }).exports;
const { softmax_ce_work: softmaxWork } = new WebAssembly.Instance(vectorModule, { env: { memory } }).exports;
const control = new Int32Array(memory.buffer, job, words);
const softmaxControl = new Int32Array(memory.buffer, softmax, softmaxWords);

let seen = Atomics.load(control, wake);
for (;;) {
  // Jobs of one training step come back to back: spin a little before paying for a futex sleep.
  const until = performance.now() + spinMs;
  while (Atomics.load(control, wake) === seen && performance.now() < until);
  Atomics.wait(control, wake, seen);
  seen = Atomics.load(control, wake);
  try {
    Atomics.add(control, workerBlocks, gemmWork(job, work) + softmaxWork(softmax, 0));
  } catch (error) {
    // Never leave the posting thread waiting for a chunk that will not finish.
    Atomics.store(control, failed, 1);
    for (const c of [control, softmaxControl]) {
      Atomics.store(c, done, 0x3fffffff);
      Atomics.notify(c, done);
    }
    throw error;
  }
}
