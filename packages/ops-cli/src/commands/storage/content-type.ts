/**
 * Content-Type of an uploaded file from its name, through the `mime` package (broofa/mime 4: the IANA/Apache type
 * table, maintained, no dependencies; ESM, hence the dynamic import, which also keeps it out of `cvat-ops --help`).
 * Files the table does not know get no Content-Type, and Azure Files reports its default `application/octet-stream`
 * (https://learn.microsoft.com/rest/api/storageservices/get-file-properties).
 */

/** Returns the lookup from path to Content-Type (undefined for an unknown extension). */
export async function loadContentTypes(): Promise<(path: string) => string | undefined> {
  const { default: mime } = await import('mime');
  return (path) => mime.getType(path) ?? undefined;
}
