// lib/nn: layers and backbones as plain objects (see types.ts for the Layer contract).
//   layers    conv2d (dilation, groups, depthwise; PyTorch-style symmetric padding), dense, batchNorm
//             (+ pure batchNormForward, withFrozenBatchStats), activations, pools, dropout,
//             gaussianNoise, flatten, lambda, sequential (feature taps, partial forwards)
//   ops       conv2dOp / depthwiseConv2dOp (any dilation), padInput, stopGradient, vjp (nested
//             gradients inside a tf.customGrad)
//   blocks    convBnAct, basicBlock / bottleneckBlock (post- and pre-activation), separableConv
//   backbones referenceCnn, lenet, vgg (cfg lists), resnet (CIFAR / ImageNet stems), resnet18Cifar,
//             resnetCifarDepth (6n+2), resnet18, resnet50, wideResNet, convNet; all return a Backbone
//             with stage `features`, applyFeatures / applyBody / applyHead
//   fpn       mmdet-style feature pyramid
//   tree      collectParams / collectState (full paths), countParams, disposeLayer, findLayer,
//             selectVars, copyVars, describeLayer
//   losses    softmaxCrossEntropy (int labels), softCrossEntropy, klDivLogits
//   init      seeded initialisers (He fan-out for convs, PyTorch nn.Linear default for dense)
export * from './types';
export * from './init';
export * from './ops';
export * from './check';
export * from './tree';
export * from './layers';
export * from './blocks';
export * from './backbone';
export * from './backbones';
export * from './losses';
export * from './fpn';
export * from './roi-align';
