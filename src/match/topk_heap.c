/* topk_heap.c — the min-heap of the k best matches that both gallery
 * searches (the float scan in gallery.c, the int8 index in gallery_i8.c)
 * keep, ordered by vg_match_worse, and its sort into best-first order. */
#include "match/gallery_internal.h"

void vg_heap_sift_down(vg_match *h, size_t n, size_t i)
{
    vg_match x = h[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && vg_match_worse(&h[c + 1], &h[c]))
            c++;
        if (!vg_match_worse(&h[c], &x))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
}

void vg_heap_sift_up(vg_match *h, size_t i)
{
    vg_match x = h[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!vg_match_worse(&x, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = x;
}

/* Moving the worst to the back leaves the best first. */
void vg_heap_sort(vg_match *h, size_t n)
{
    for (size_t end = n; end > 1; end--) {
        vg_match t = h[0];
        h[0] = h[end - 1];
        h[end - 1] = t;
        vg_heap_sift_down(h, end - 1, 0);
    }
}
