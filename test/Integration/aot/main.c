/* Calls the ahead-of-time compiled add function of Inputs/add.mlir. */
#include <stdio.h>
#include "add.h"

int main(void) {
  float a[6] = {0, 1, 2, 3, 4, 5}, b[6] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
  float sum[6] = {0};
  RevMemRef2 ma = {a, a, 0, {2, 3}, {3, 1}};
  RevMemRef2 mb = {b, b, 0, {2, 3}, {3, 1}};
  RevMemRef2 ms = {sum, sum, 0, {2, 3}, {3, 1}};
  _mlir_ciface_add(&ma, &mb, &ms);
  for (int i = 0; i < 6; ++i)
    printf("%g ", sum[i]);
  printf("\n");
  return 0;
}
