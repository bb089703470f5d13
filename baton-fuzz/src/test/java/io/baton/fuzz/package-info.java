/**
 * Jazzer fuzz targets for everything a stranger's bytes reach: the frame decoder, the server core on a
 * client or peer connection, and the restore of saves and snapshots; with the small rig they share.
 *
 * <p>docs/fuzzing.md says what each target holds to and how to run it for seconds (CI) or for hours.
 */
package io.baton.fuzz;
