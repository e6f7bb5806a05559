/**
 * What the emulator knows about each technology (docs/vendor.md §3): its display name, a description, and
 * which result field of a session result it fills. Unknown uppercase codes pass through with their code
 * as their name, so a custom flow can use a technology the project has not heard of yet.
 *
 * @module
 */

/** The result field of a session result (and of a `technology.end` webhook) a technology fills. */
export type ResultField =
  | 'liveness_result'
  | 'edocument_result'
  | 'face2face_result'
  | 'document_recognition_result';

/** A technology as the result endpoint lists it. */
export interface TechnologyDescription {
  code: string;
  name: string;
  description: string;
}

const KNOWN: Record<string, { name: string; description: string; field: ResultField }> = {
  LD: {
    name: 'Liveness',
    description: 'Checks that a live person is in front of the camera.',
    field: 'liveness_result',
  },
  LDHP: {
    name: 'Liveness Head Position',
    description: 'Liveness check with a photo and head turns.',
    field: 'liveness_result',
  },
  LDD: {
    name: 'Liveness Distance',
    description: 'Liveness check by distance to the camera and simple actions.',
    field: 'liveness_result',
  },
  ED: {
    name: 'E-Document',
    description: 'Fetches the subject’s eGov documents after an SMS code from 1414.',
    field: 'edocument_result',
  },
  DR: {
    name: 'Document Recognition',
    description: 'Reads an identity document from its photo.',
    field: 'document_recognition_result',
  },
  F2F: {
    name: 'Face2Face',
    description: 'Compares the face with a second photo.',
    field: 'face2face_result',
  },
};

/** Codes whose step uses the camera to take a face photo. */
export const CAMERA_TECHNOLOGIES: readonly string[] = ['LD', 'LDHP', 'LDD'];

/** @returns the code, name and description of a technology; an unknown code is its own name. */
export function describeTechnology(code: string): TechnologyDescription {
  const known = KNOWN[code];
  return { code, name: known?.name ?? code, description: known?.description ?? '' };
}

/** @returns the result field a technology fills, or `undefined` for a technology the emulator does not know. */
export function resultFieldOf(code: string): ResultField | undefined {
  return KNOWN[code]?.field;
}
