//! Node-style callbacks on top of promises, as ioredis's `standard-as-callback`: the callback
//! gets `(null, value)` or `(error)`, and an exception it throws is rethrown outside the promise
//! chain so that it is not swallowed.

export function asCallback(promise, callback) {
  if (typeof callback !== 'function') return promise;
  promise.then(
    (value) => {
      try {
        if (value === undefined) callback(null);
        else callback(null, value);
      } catch (e) {
        setTimeout(() => {
          throw e;
        }, 0);
      }
    },
    (cause) => {
      let err = cause;
      if (!err) {
        err = new Error(`${err}`);
        Object.assign(err, { cause });
      }
      try {
        callback(err);
      } catch (e) {
        setTimeout(() => {
          throw e;
        }, 0);
      }
    },
  );
  return promise;
}
