//! The simulated database of learner scripts (`db`): the slow source of truth a cache sits in
//! front of. Every call costs the run's latency in virtual time (default 50 ms: the page's clock
//! moves, and calls made in the same tick overlap, as concurrent queries would), is counted
//! (`db.calls`) and reported to the page as a `{kind: 'db', name, start, end}` event.
//!
//! The data set is small and the same on every run: 50 users with ids 1 to 50,
//! `{ id, name, email, city, plan, visits }`. `findUser(id)` answers a copy of one (or null),
//! `updateUser(id, changes)` merges changes into one and answers the updated copy (or null),
//! `query(name, fn)` runs `fn(tables)` over `{ users }` (an array of the live rows) and answers its
//! result: a generic query named for the timeline.

const FIRST = ['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Frances', 'Dennis'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Dijkstra', 'Liskov'];
const CITIES = ['London', 'Paris', 'Berlin', 'Lisbon', 'Oslo', 'Madrid', 'Rome'];
const PLANS = ['free', 'free', 'pro', 'team'];

/** The seeded users (a fresh copy each time). */
export function seedUsers() {
  const users = [];
  // A small linear congruential generator: the same numbers on every run.
  let state = 42;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state;
  };
  for (let id = 1; id <= 50; id++) {
    const first = FIRST[(id - 1) % FIRST.length];
    const last = LAST[Math.floor((id - 1) / FIRST.length) % LAST.length];
    users.push({
      id,
      name: `${first} ${last}`,
      email: `${first}.${last}${id}@example.com`.toLowerCase(),
      city: CITIES[next() % CITIES.length],
      plan: PLANS[next() % PLANS.length],
      visits: next() % 1000,
    });
  }
  return users;
}

function copy(row) {
  return row === null || row === undefined ? null : structuredClone(row);
}

/**
 * The `db` object. `latencyMs`: virtual cost of a call; `wait(name)` reports a call to the page
 * and resolves once its latency has passed on the virtual clock.
 */
export function createDatabase({ latencyMs, wait }) {
  const users = seedUsers();
  let calls = 0;
  const callsByName = new Map();
  const byId = (id) => users.find((u) => String(u.id) === String(id)) ?? null;
  const call = (name, compute) => {
    calls += 1;
    callsByName.set(name, (callsByName.get(name) ?? 0) + 1);
    let result;
    let failure = null;
    try {
      result = compute();
    } catch (err) {
      failure = err;
    }
    return new Promise((resolve, reject) => {
      wait(name).then(() => {
        if (failure) reject(failure);
        else Promise.resolve(result).then(resolve, reject);
      });
    });
  };
  return Object.freeze({
    /** Virtual milliseconds each call costs. */
    get latencyMs() {
      return latencyMs;
    },
    /** How many calls this run made. */
    get calls() {
      return calls;
    },
    /** How many calls of one kind (`findUser`, `updateUser`, a query's name) this run made. */
    callsTo(name) {
      return callsByName.get(String(name)) ?? 0;
    },
    /** The user with this id (a copy), or null. */
    findUser(id) {
      return call('findUser', () => copy(byId(id)));
    },
    /** Merges `changes` into the user with this id; answers the updated user (a copy), or null. */
    updateUser(id, changes) {
      return call('updateUser', () => {
        const user = byId(id);
        if (!user) return null;
        if (changes && typeof changes === 'object') {
          for (const [key, value] of Object.entries(changes)) if (key !== 'id') user[key] = value;
        }
        return copy(user);
      });
    },
    /** Runs `fn({ users })` as a query named `name`; answers what it returns. */
    query(name, fn) {
      if (typeof name === 'function' && fn === undefined) {
        fn = name;
        name = 'query';
      }
      return call(String(name ?? 'query'), () => (typeof fn === 'function' ? fn({ users }) : undefined));
    },
  });
}
