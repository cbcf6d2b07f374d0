/**
 * Lets the worker handle messages (a cancel() from the page) between model runs. On the wasm backend every
 * run resolves without leaving the microtask queue, so without this a cancel would wait for the whole answer.
 * A MessageChannel task, unlike setTimeout(0), is not clamped to 4 ms when nested. The channel is closed after
 * its one message, so nothing keeps a Node process alive afterwards.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
    channel.port2.close();
  });
}
