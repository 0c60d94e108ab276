"""The built-in models and datasets by name, with their input kind and description, as plain data:
what ``signkit models`` and ``signkit datasets`` print without importing torch (the registries in
:mod:`signkit.models` and :mod:`signkit.data` hold the same entries; a test keeps them equal)."""

MODELS: dict[str, tuple[str, str]] = {  # name -> (input kind, description)
    'bigru_3l': ('keypoints', 'deep bidirectional GRU: 3 layers, layer norm, dropout, 2 FC + ReLU'),
    'bilstm_3l': ('keypoints', 'deep bidirectional LSTM: 3 layers, layer norm, dropout, 2 FC + ReLU'),
    'c3d': ('clip', '3D-CNN on pixel clips (six 3D convs, no pooling), width 1/1'),
    'c3d_lstm': ('clip', '3D-CNN encoder of 4-frame blocks + LSTM, width 1/1'),
    'c3d_lstm_medium': ('clip', '3D-CNN encoder of 4-frame blocks + LSTM, width 1/2'),
    'c3d_lstm_small': ('clip', '3D-CNN encoder of 4-frame blocks + LSTM, width 1/4'),
    'c3d_medium': ('clip', '3D-CNN on pixel clips (six 3D convs, no pooling), width 1/2'),
    'c3d_small': ('clip', '3D-CNN on pixel clips (six 3D convs, no pooling), width 1/4'),
    'chunk_lstm': ('clip', 'LSTM over flattened 4-frame pixel blocks, width 1/1'),
    'chunk_lstm_medium': ('clip', 'LSTM over flattened 4-frame pixel blocks, width 1/2'),
    'chunk_lstm_small': ('clip', 'LSTM over flattened 4-frame pixel blocks, width 1/4'),
    'gru': ('keypoints', 'masked variable-length GRU, 2 layers'),
    'hier_lstm': ('keypoints', 'hierarchical per-finger LSTM -> hand LSTM -> dropout -> dense'),
    'hier_rnn': ('keypoints', 'hierarchical per-finger GRU -> hand GRU -> dropout -> dense'),
    'landmark_mlp': ('landmarks', "MLP on MediaPipe Hands' 21 normalised landmarks + pairwise distances"),
    'lenet5': ('image', 'LeNet-5 baseline (LeCun et al. 1998)'),
    'lstm': ('keypoints', 'masked variable-length LSTM, 2 layers'),
    'mlp': ('image', 'multilayer perceptron baseline for small images (512-256)'),
    'mobilenetv2': ('image', 'MobileNetV2, torchvision names, optional pretrained backbone'),
    'mobilenetv2_frozen': ('image', 'MobileNetV2, shared ImageNet backbone frozen, new head'),
    'resnet18_28px': ('image', 'ResNet-18 adapted to 28x28 (no pooling, 64-128-256-512)'),
    'rnn': ('keypoints', 'masked variable-length SimpleRNN (tanh), 2 layers'),
    'tcn': ('keypoints', 'masked dilated temporal ConvNet over hand-shape, motion and distance features'),
    'tcn_small': ('keypoints', 'tcn with 64 channels and 3 blocks'),
    'tcn_tiny': ('keypoints', 'tcn with 32 channels and 2 blocks (a distillation student, ~1/20 of tcn)'),
}

DATASETS: dict[str, str] = {  # name -> description
    'fpha': 'FPHA 3D hand actions, 21 joints (mm), 45 actions, official 600/575 split or LOSO',
    'rwth_boston104': 'RWTH-BOSTON-104 hand/nose tracks (px), 112 words, official split',
    'videos': 'your own <root>/<gloss>/<clip>.mp4, MediaPipe keypoints extracted once into a cache',
    'sign_mnist': 'Sign Language MNIST 28x28 grayscale, 24 letters, official 27,455/7,172 split',
    'asl_massey': 'Massey ASL hand shapes, 36 classes, 5 people, leave-one-person-out',
    'sign_language_digits': 'Sign Language Digits 100x100 RGB, seeded stratified split',
    'silfa_letters': 'SILFA fingerspelled letters A-Z, one signer, id-block split',
    'asl_letters_users': 'ASL static letters, webcam photos in 7 folders of several people, leave-one-folder-out',
    'fingerspelling_static': "24 static letters of asl_letters_users, asl_massey and SILFA's first halves; hold_out=<source>:<signer>",
    'image_folder': 'your own <root>/<label>/*.jpg hand shapes',
    'asl_alphabet': 'Kaggle ASL Alphabet layout (asl_alphabet_train/<class>/)',
    'silfa_clips': 'SILFA letters as pixel clips (pose-guided 64x64 crops), id-block split',
    'video_clips': 'your own <root>/<gloss>/<clip> videos or frame folders as pixel clips',
    'folder': 'your own <root>/<gloss>/<sample>.npz keypoints, signer-independent split',
}
