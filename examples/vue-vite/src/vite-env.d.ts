/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where the hosted flow lives: the emulator's URL in development; unset for Biometric.Vision. */
  readonly VITE_BIOMETRIC_FLOW_BASE_URL?: string
}
