// Numbers reported in the thesis (chapter 5), for tables beside ours (never on the same axis).

/** Table 5-I: simplified VGG-19 on ImageNet 128x128, T_r = 0.25, parameters maintained (top-1 / top-5 error %). */
export const TABLE_5_1: { method: string; top1: number; top5: number }[] = [
  { method: 'BL', top1: 32.13, top5: 11.97 }, { method: 'BL-CA', top1: 31.58, top5: 11.46 },
  { method: 'NR-CR', top1: 31.40, top5: 11.53 }, { method: 'NR-FS', top1: 31.26, top5: 11.37 },
  { method: 'NR', top1: 30.74, top5: 10.94 }, { method: 'NR-BR', top1: 30.31, top5: 10.67 },
  { method: 'NR-CA', top1: 30.28, top5: 10.88 }, { method: 'NR-CA-BR', top1: 29.98, top5: 10.58 },
];

/** Table 5-IV: compression on CIFAR (target 0.5 C, T_r = 0.25, NR-CR): error % (params in M). */
export const TABLE_5_4: { arch: string; baseline: [number, number]; slimming: [number, number]; nr: [number, number]; paramsM: { baseline: number; slimming: number; nr: number } }[] = [
  { arch: 'VGG-19', baseline: [5.44, 23.11], slimming: [5.06, 24.92], nr: [4.19, 21.53], paramsM: { baseline: 20.04, slimming: 10.07, nr: 9.99 } },
  { arch: 'ResNet-164', baseline: [6.11, 28.86], slimming: [5.65, 25.61], nr: [5.13, 23.84], paramsM: { baseline: 1.70, slimming: 0.94, nr: 0.88 } },
  { arch: 'DenseNet-100-40', baseline: [3.64, 19.85], slimming: [3.75, 19.29], nr: [3.40, 18.59], paramsM: { baseline: 8.27, slimming: 4.36, nr: 4.12 } },
];

/** Table 5-V: VGG-19 on CIFAR-10 with repeated NR (error %), index = number of NR rounds. */
export const TABLE_5_5_C10 = [5.44, 4.19, 4.03, 3.79, 3.69, 3.62];
export const TABLE_5_5_C100 = [23.11, 21.53, 20.47, 19.91];

/** Table 5-II headline: ResNet-50 top-1 24.30 -> 22.79 (NR FLOPs). */
export const RESNET50_TOP1 = { baseline: 24.30, nrParams: 22.93, nrFlops: 22.79 };

/** Parameter counts the thesis reports for the full-size models (M, rounded) and our exact derivations. */
export const PAPER_PARAMS = {
  vgg19Cifar10: { reported: 20.04e6, exact: 20_035_018 },
  vgg19Cifar100: { reported: 20.08e6, exact: 20_081_188 },
  vgg19Simplified: { reported: 20.5e6, exact: 20_550_568 },
  vgg16Imagenet: { reported: 37.7e6, exact: 37_706_664 },
  resnet164Cifar10: { reported: 1.70e6 },
  resnet164Cifar100: { reported: 1.73e6 },
  resnet18: { reported: 11.7e6, exact: 11_689_512 },
  resnet34: { reported: 21.8e6, exact: 21_797_672 },
  resnet50: { reported: 25.6e6, exact: 25_557_032 },
  resnet101: { reported: 44.5e6, exact: 44_549_160 },
  vggMini: { exact: 72_666, conv: 71_568 },
};
