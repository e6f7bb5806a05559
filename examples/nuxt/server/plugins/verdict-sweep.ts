// A long-lived server sweeps on a timer: the sessions whose browser went quiet are asked about.
export default defineNitroPlugin((nitroApp) => {
  verdicts.start()
  nitroApp.hooks.hook('close', () => verdicts.stop())
})
