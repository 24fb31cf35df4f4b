// A kernel worker thread (started by threads.ts). Plain JavaScript because worker_threads load their
// file with Node's own loader, which has no TypeScript transform under vitest. It instantiates the
// kernels on the shared kernel memory, then sleeps on the job's futex word and, each time it is woken,
// claims blocks of the posted product until none are left (the claiming is in gemm.wasm, `gemm_work`).
import { workerData } from 'node:worker_threads';

const { module, memory, job, work, words, wake, done, failed, workerBlocks, spinMs } = workerData;
const { gemm_work: gemmWork } = new WebAssembly.Instance(module, { env: { memory } }).exports;
const control = new Int32Array(memory.buffer, job, words);

let seen = Atomics.load(control, wake);
for (;;) {
  // Products of one training step come back to back: spin a little before paying for a futex sleep.
  const until = performance.now() + spinMs;
  while (Atomics.load(control, wake) === seen && performance.now() < until);
  Atomics.wait(control, wake, seen);
  seen = Atomics.load(control, wake);
  try {
    Atomics.add(control, workerBlocks, gemmWork(job, work));
  } catch (error) {
    // Never leave the posting thread waiting for a block that will not finish.
    Atomics.store(control, failed, 1);
    Atomics.store(control, done, 0x3fffffff);
    Atomics.notify(control, done);
    throw error;
  }
}
