'use strict';

// Per-test clean-up registry. Helpers register a disposer for every client they open;
// useNode() installs an afterEach hook that runs them all, so a failing test cannot leave
// sockets open that would disturb the next test (presence rosters, counts, rate limits).

const disposers = new Set();

function track(dispose) {
  const entry = { dispose, done: false };
  disposers.add(entry);
  return () => {
    if (entry.done) return Promise.resolve();
    entry.done = true;
    disposers.delete(entry);
    return Promise.resolve().then(dispose);
  };
}

async function cleanupAll() {
  const pending = [...disposers];
  disposers.clear();
  await Promise.allSettled(
    pending.map((entry) => {
      if (entry.done) return undefined;
      entry.done = true;
      return Promise.resolve().then(entry.dispose);
    }),
  );
}

module.exports = { track, cleanupAll };
