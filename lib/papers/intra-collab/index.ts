// Intra-model collaborative learning (Fang & Lin 2021) and its baseline, collaborative learning
// with several heads (Song & Chai 2018). See /shared/specs/intra-model-collab.md.
//   losses      softmaxT, hardCE/softCE, gradScale, songChaiLoss, outLoss, midLoss, featureRep,
//               similarityMatrix, pullPushLoss, kernelDecorrLoss, linearSchedule
//   arch        unit lists of VGG-16 / ResNet-18 (CIFAR) and MiniVGG-6 / MiniResNet
//   model       buildIntraNet, collabLoss (gradient scopes of spec 2.5), inference, predict
//   song-chai   tree / multi-instance heads with backprop rescaling
//   experiments seeded runners for the notebook
export * from './losses';
export * from './arch';
export * from './model';
export * from './song-chai';
export * from './paper-numbers';
export * from './experiments';
