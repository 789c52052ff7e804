// Timers exist in every mini program runtime, but `@mini-types/alipay` does not declare them.
// Only src/platform uses them (everything else gets `sleep` injected).
declare function setTimeout(handler: () => void, ms?: number): number;
