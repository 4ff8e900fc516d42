/* text_file.h — a whole text file read into memory (text_file.c), for the
 * small files vigil reads at once: calibration files and the like. */
#ifndef VG_BASE_TEXT_FILE_H
#define VG_BASE_TEXT_FILE_H

/* The file at path, NUL-terminated, malloc'd (free it); NULL when it
 * cannot be opened or read, is over 64 MiB, or memory runs out. */
char *vg_text_file_read(const char *path);
#endif
