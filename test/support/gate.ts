/** A promise a test opens when it is ready (for the fake Mistral's `gate` behaviour). */
export function gate(): { readonly until: Promise<void>; open(): void } {
  let open: () => void = () => {};
  const until = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { until, open: () => open() };
}
